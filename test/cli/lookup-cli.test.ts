import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { ATTACK_DAY, KNOWN_IP, NEW_IP, RCLONE, writeNewIpDataset } from '../helpers/new-ip-dataset.js';
import { HOUR } from '../helpers/store-fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let schema: string;
let dir: string;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: schemaUrl(schema) };
  for (const name of ['SETTINGS_FILE', 'KNOWN_NETWORKS', 'ALLOWLIST', 'LEARNING_DAYS', 'NODE_OPTIONS']) delete env[name];
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const until = new Date(ATTACK_DAY + 11 * HOUR).toISOString();

beforeAll(async () => {
  schema = await createSchema();
  dir = mkdtempSync(join(tmpdir(), 'sw-lookup-'));
  writeNewIpDataset(dir);
  const scan = await cli('scan', '--input', dir, '--json');
  expect(scan.code).toBe(0);
}, 60_000);

afterAll(async () => {
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

describe('who, baseline, findings and suppress on the command line', () => {
  it('who shows the window next to the baseline, with the new address and client marked', async () => {
    const r = await cli('who', 'alice', '--last', '6h', '--until', until);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('arn:aws:iam::111122223333:user/alice');
    expect(r.stdout).toMatch(new RegExp(`\\[NEW\\] ${NEW_IP.replace(/\./g, '\\.')}`));
    expect(r.stdout).toMatch(new RegExp(`^\\s+${KNOWN_IP.replace(/\./g, '\\.')}`, 'm'));
    expect(r.stdout).toContain(`[NEW] ${RCLONE}`);
    expect(r.stdout).toMatch(/Per hour: [▁▂▃▄▅▆▇█]{6}/);
    expect(r.stdout).toMatch(/Open findings:\n\s+\[(medium|high|critical)\] New source IP[^\n]* \w+$/m);
  });

  it('who --json gives the same figures to tools', async () => {
    const r = await cli('who', 'arn:aws:iam::111122223333:user/alice', '--last', '6h', '--until', until, '--json');
    const [report] = JSON.parse(r.stdout) as { ops: number; bytesOut: number; ips: { value: string; isNew: boolean }[] }[];
    expect(report!.ops).toBe(7);
    expect(report!.bytesOut).toBeGreaterThanOrEqual(300_000_000);
    expect(report!.ips.find((i) => i.value === NEW_IP)?.isNew).toBe(true);
    expect(report!.ips.find((i) => i.value === KNOWN_IP)?.isNew).toBe(false);
  });

  it('baseline describes what normal looks like and what is new in the last 24 hours', async () => {
    const r = await cli('baseline', 'alice', '--until', until);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/History: 1[01] active day/);
    expect(r.stdout).toMatch(/Usual hours \(UTC\): 09 10 11 12 13 14 15 16 17/);
    expect(r.stdout).toContain(`[NEW] ${RCLONE} (last 24 h)`);
  });

  it('an unknown principal is a clear error with exit code 2', async () => {
    const r = await cli('who', 'mallory@nowhere');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no single identity matches "mallory@nowhere"/);
  });

  it('a bad window is refused with the expected form', async () => {
    const r = await cli('who', 'alice', '--last', 'soon');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/expected a duration such as 30m, 6h, 2d or 1w/);
  });

  it('suppress stores a scoped, expiring suppression that suppressions lists', async () => {
    const s = await cli('suppress', '--principal', 'alice', '--detector', 'new-source-ip', '--ip', NEW_IP, '--reason', 'travel to the Lisbon office', '--expires', '7d', '--author', 'sec-oncall');
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/suppression s-\w+ stored, until \d{4}-/);
    const l = await cli('suppressions');
    expect(l.stdout).toContain('aws|111122223333|arn:aws:iam::111122223333:user/alice, new-source-ip, ip 203.0.113.50');
    expect(l.stdout).toContain('by sec-oncall: travel to the Lisbon office');
    const bad = await cli('suppress', '--detector', 'no-such-detector', '--reason', 'x');
    expect(bad.code).toBe(2);
  });

  it('findings lists what the scan stored', async () => {
    const r = await cli('findings', '--min-severity', 'medium', '--json');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { detector: string; principal: { name: string } });
    expect(lines.some((f) => f.detector === 'new-source-ip' && f.principal.name === 'alice')).toBe(true);
  });
});
