import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../bench/blind/generate.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'blind-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function scan(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: 'memory://' };
  for (const name of ['DATABASE_URL', 'SETTINGS_FILE', 'KNOWN_NETWORKS', 'ALLOWLIST', 'LEARNING_DAYS', 'NODE_OPTIONS']) delete env[name];
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'scan', '--input', dir, '--json'], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('blind scenario generator', () => {
  it('writes CloudTrail, Cloud Logging and Azure resource-log files the product reads without rejecting a record', async () => {
    const result = generate({ seed: 7, out: join(tmp, 'data'), identities: 20, days: 3 });
    const manifest = JSON.parse(readFileSync(result.manifestFile, 'utf8')) as { events: { aws: number; gcp: number; azure: number; total: number } };
    expect(manifest.events.aws).toBeGreaterThan(0);
    expect(manifest.events.gcp).toBeGreaterThan(0);
    expect(manifest.events.azure).toBeGreaterThan(0);

    const run = await scan(result.logDir);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stderr.trimEnd().split('\n').at(-1) ?? '{}') as { rejected: number; events: number; skipped: number; duplicates: number; rejections: unknown[] };
    expect(summary.rejections).toEqual([]);
    expect(summary.rejected).toBe(0);
    expect(summary.skipped).toBe(0);
    expect(summary.duplicates).toBe(0);
    expect(summary.events).toBe(manifest.events.total);
  }, 300_000);

  it('is deterministic per seed', () => {
    const a = generate({ seed: 3, out: join(tmp, 'a'), identities: 12, days: 2 });
    const b = generate({ seed: 3, out: join(tmp, 'b'), identities: 12, days: 2 });
    expect(readFileSync(a.labelsFile, 'utf8')).toBe(readFileSync(b.labelsFile, 'utf8'));
    expect(readFileSync(a.manifestFile, 'utf8')).toBe(readFileSync(b.manifestFile, 'utf8'));
  });
});
