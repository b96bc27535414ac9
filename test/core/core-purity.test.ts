import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url));

describe('src/core', () => {
  it('imports no package (no SDK, no I/O library): only its own and other local modules', () => {
    const offenders = readdirSync(CORE)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(CORE + f, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)]
        .map((m) => m[1]!)
        .filter((spec) => !spec.startsWith('.'))
        .map((spec) => `${f}: ${spec}`));
    expect(offenders).toEqual([]);
  });

  it('imports nothing of ours outside core/ (no store, lookup, chat, cards...)', () => {
    const offenders = readdirSync(CORE)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(CORE + f, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)]
        .map((m) => m[1]!)
        .filter((spec) => spec.startsWith('.') && !spec.startsWith('./'))
        .map((spec) => `${f}: ${spec}`));
    expect(offenders).toEqual([]);
  });
});
