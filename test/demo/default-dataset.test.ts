import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DETECTOR_IDS, generateDataset } from '../../src/demo/generate-dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-demo-default-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the default dataset', () => {
  it('is generated to the end: four weeks, 40 identities, 100k-200k events, every incident and trap', async () => {
    const m = await generateDataset({ seed: 1, outDir: dir });
    expect(m.start).toBe('2026-10-31T00:00:00.000Z');
    expect(m.end).toBe('2026-11-28T00:00:00.000Z');
    expect(m.identities).toBe(40);
    expect(m.events).toBeGreaterThan(100_000);
    expect(m.events).toBeLessThan(200_000);
    expect(m.files.length).toBeGreaterThan(1000);
    expect(new Set(m.incidents.map((i) => i.kind))).toEqual(new Set(DETECTOR_IDS));
    expect(m.traps).toHaveLength(5);
  }, 180_000);
});
