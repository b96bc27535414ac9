import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/core/finding.js';
import { listInputFiles, sniffFile } from '../../src/sources/files/read-files.js';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { DATASET_EVENTS, DATASET_FILES, KNOWN_IP, NEW_IP, writeNewIpDataset } from '../helpers/new-ip-dataset.js';
import { SAMPLES_DIR } from '../helpers/sample-records.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI from the repository root with no settings but a database: a throw-away embedded
 * one, or (much quicker to start) PostgreSQL in the given schema.
 */
function cli(schema: string | undefined, ...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: 'memory://' };
  for (const name of ['DATABASE_URL', 'SETTINGS_FILE', 'KNOWN_NETWORKS', 'ALLOWLIST', 'LEARNING_DAYS', 'NODE_OPTIONS']) delete env[name];
  if (schema) env.DATABASE_URL = schemaUrl(schema);
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

type Summary = {
  files: number; records: number; events: number; skipped: number; rejected: number; duplicates: number;
  rejections: { file: string; index: number; line?: number; reason: string }[];
};

const tmp = mkdtempSync(join(tmpdir(), 'sw-cli-'));
const dataset = join(tmp, 'alice');
mkdirSync(dataset);
writeNewIpDataset(dataset);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('storage-watch scan', () => {
  let samplesJson: Run;
  let datasetJson: Run;
  let table: Run;
  let missing: Run;
  let notALog: Run;
  const schemas: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 4; i++) schemas.push(await createSchema());
    // Every child process compiles the CLI and opens a database: start them all at once.
    [samplesJson, datasetJson, table, missing, notALog] = await Promise.all([
      cli(undefined, 'scan', '--input', 'test/fixtures/samples', '--json'),
      cli(schemas[0], 'scan', '--input', dataset, '--json'),
      cli(schemas[1], 'scan', '--input', dataset, 'test/fixtures/samples'),
      cli(schemas[2], 'scan', '--input', 'does-not-exist'),
      cli(schemas[3], 'scan', '--input', 'package.json'),
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  describe('--json', () => {
    it('exits 0 with a JSON summary as the last line of stderr whose figures add up', async () => {
      expect(samplesJson.code, samplesJson.stderr).toBe(0);
      const s = JSON.parse(lastLine(samplesJson.stderr)) as Summary;
      const readable: string[] = [];
      for (const f of listInputFiles([SAMPLES_DIR])) if (await sniffFile(f)) readable.push(f);
      expect(s.files).toBe(readable.length);
      expect(s.records).toBe(s.events + s.skipped + s.rejected + s.duplicates);
      expect(s.events).toBeGreaterThan(0);
      expect(s.skipped).toBeGreaterThan(0);
      expect(s.rejected).toBe(2);
      expect(s.rejections).toEqual([12, 13].map((index) => ({
        file: resolve(ROOT, 'test/fixtures/samples/aws/panther-cloudtrail-s3-tests.ndjson'), index, line: index + 1,
        reason: expect.stringContaining('account unknown') as unknown,
      })));
    });

    it('prints one JSON finding per line on stdout, with UTC ISO-8601 times', () => {
      expect(datasetJson.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0);
      for (const run of [samplesJson, datasetJson]) {
        const lines = run.stdout.split('\n').filter(Boolean);
        for (const line of lines) {
          const f = JSON.parse(line) as Record<string, unknown>;
          expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'detector', 'severity', 'cloud', 'account', 'principal', 'start', 'end', 'title', 'summary', 'evidence']));
          expect(f.id).toMatch(/^\w+$/);
          expect(SEVERITIES).toContain(f.severity);
          expect(['aws', 'gcp', 'azure']).toContain(f.cloud);
          expect(f.start).toMatch(ISO_UTC);
          expect(f.end).toMatch(ISO_UTC);
          expect(Date.parse(f.end as string)).toBeGreaterThanOrEqual(Date.parse(f.start as string));
          expect(typeof f.title === 'string' && f.title.length > 0).toBe(true);
          expect(typeof f.summary === 'string' && f.summary.length > 0).toBe(true);
          expect(f.principal).toMatchObject({ id: expect.any(String) as unknown, name: expect.any(String) as unknown });
          expect(f.evidence).toMatchObject({ observed: expect.any(Object) as unknown, severityReason: expect.any(String) as unknown });
        }
      }
    });

    it('reports the download from a new address, and nothing about the usual one', () => {
      expect(datasetJson.code, datasetJson.stderr).toBe(0);
      expect(JSON.parse(lastLine(datasetJson.stderr))).toMatchObject({ files: DATASET_FILES, events: DATASET_EVENTS, rejected: 0 });
      const findings = datasetJson.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { detector: string; severity: string; scope: string; principal: { id: string }; evidence: { ips: string[] } });
      const newIp = findings.filter((f) => f.detector === 'new-source-ip');
      expect(newIp).toHaveLength(1);
      expect(newIp[0]).toMatchObject({ scope: `ip:${NEW_IP}`, principal: { id: 'arn:aws:iam::111122223333:user/alice' } });
      expect(SEVERITIES.indexOf(newIp[0]!.severity as (typeof SEVERITIES)[number])).toBeGreaterThanOrEqual(SEVERITIES.indexOf('medium'));
      expect(findings.filter((f) => f.scope.includes(KNOWN_IP) || f.evidence.ips.includes(KNOWN_IP))).toEqual([]);
    });
  });

  describe('table output', () => {
    it('prints the findings as a table on stdout and a readable summary on stderr', async () => {
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toContain('severity');
      expect(table.stdout).toContain('new-source-ip');
      expect(table.stdout).toContain(NEW_IP);
      let samples = 0;
      for (const f of listInputFiles([SAMPLES_DIR])) if (await sniffFile(f)) samples++;
      expect(table.stderr).toMatch(new RegExp(`^Read ${DATASET_FILES + samples} file\\(s\\): [\\d,]+ records, [\\d,]+ storage events, [\\d,]+ skipped \\(not storage access\\), 2 rejected`));
      expect(table.stderr).toMatch(/\d+ finding\(s\): \d+ critical, \d+ high, \d+ medium, \d+ low/);
      expect(() => JSON.parse(lastLine(table.stderr)) as unknown).toThrow();
    });

    it('names rejected records by file and line, and files left out', () => {
      expect(table.stderr).toContain('panther-cloudtrail-s3-tests.ndjson:13');
      expect(table.stderr).toContain('panther-cloudtrail-s3-tests.ndjson:14');
      expect(table.stderr).toMatch(/left out .*SOURCES\.md/);
    });
  });

  describe('bad input', () => {
    it('exits 2 naming a path that does not exist', () => {
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('does-not-exist');
      expect(missing.stderr).not.toMatch(/\n\s+at /);
      expect(missing.stdout).toBe('');
    });

    it('exits 2 naming a file that is not an audit log', () => {
      expect(notALog.code).toBe(2);
      expect(notALog.stderr).toContain('package.json');
      expect(notALog.stderr).toMatch(/not an audit-log format/);
      expect(notALog.stderr).not.toMatch(/\n\s+at /);
      expect(notALog.stdout).toBe('');
    });
  });
});
