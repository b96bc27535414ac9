import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { AccessEvent, Normalized } from '../../../src/core/event.js';

/** Folder of the hand-made Azure fixtures (see its README). */
export const AZURE_FIXTURES = fileURLToPath(new URL('../../fixtures/azure/', import.meta.url));

/** The event of a result, failing the test with the reason when it is a skip or a rejection. */
export function eventOf(result: Normalized): AccessEvent {
  if (result.kind !== 'event') expect.fail(`expected an event, got ${result.kind}: ${result.reason}`);
  return result.event;
}

/** Records of a one-JSON-object-per-line fixture. */
export function ndjsonFixture(name: string): Record<string, unknown>[] {
  return readFileSync(AZURE_FIXTURES + name, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
