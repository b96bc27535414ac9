import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { splitConcatenatedJson } from '../../src/sources/files/concatenated-json.js';

/** Folder of the real public samples copied from ../shared/samples (see its SOURCES.md). */
export const SAMPLES_DIR = fileURLToPath(new URL('../fixtures/samples/', import.meta.url));

/** Raw JSON records of one sample file, for parser tests (the production reader is src/sources/files). */
export function sampleRecords(relativePath: string): Record<string, unknown>[] {
  const raw = readFileSync(SAMPLES_DIR + relativePath);
  const text = (relativePath.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').trim();
  try {
    const doc = JSON.parse(text) as unknown;
    if (Array.isArray(doc)) return doc as Record<string, unknown>[];
    const records = (doc as { Records?: unknown }).Records;
    return Array.isArray(records) ? (records as Record<string, unknown>[]) : [doc as Record<string, unknown>];
  } catch {
    // One record per line, or pretty-printed records one after another.
    if (text.startsWith('{\n')) return splitConcatenatedJson(text).map((p) => JSON.parse(p.text) as Record<string, unknown>);
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
