import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { DATASET_EVENTS, writeNewIpDataset } from '../helpers/new-ip-dataset.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let schema: string;
let dir: string;

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: schemaUrl(schema), ...env };
  for (const name of Object.keys(base)) if (/^(AWS_|GCP_|AZURE_|SLACK_|FILES_SOURCE_DIR|SETTINGS_FILE|NODE_OPTIONS)/.test(name) && !(name in env)) delete base[name];
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: base }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  schema = await createSchema();
  dir = mkdtempSync(join(tmpdir(), 'sw-source-'));
  writeNewIpDataset(dir);
});

afterAll(async () => {
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

describe('scan --source', () => {
  it('reads the configured files source, and a second run finds nothing new', async () => {
    const first = await cli({ FILES_SOURCE_DIR: dir }, 'scan', '--source', 'files', '--json');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stderr.trim().split('\n').at(-1)!) as { events: number; findings: number };
    expect(summary.events).toBe(DATASET_EVENTS);
    expect(first.stdout).toMatch(/"detector":"new-source-ip"/);
    const again = await cli({ FILES_SOURCE_DIR: dir }, 'scan', '--source', 'all', '--json');
    expect(JSON.parse(again.stderr.trim().split('\n').at(-1)!)).toMatchObject({ events: 0, findings: 0, unchangedFiles: 11 });
  });

  it('says which variables to set when the provider is not configured', async () => {
    const r = await cli({}, 'scan', '--source', 'aws');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no source configured for aws/);
  });

  it('refuses --input and --source together, and an unknown provider', async () => {
    expect((await cli({}, 'scan', '--source', 'files', '--input', dir)).stderr).toMatch(/either --input <paths\.\.\.> or --source/);
    expect((await cli({}, 'scan', '--source', 'dropbox')).stderr).toMatch(/expected aws, gcp, azure, files or all/);
  });

  it('reports a bad cloud setting by its variable name', async () => {
    const r = await cli({ AWS_ACCOUNT_IDS: '12345', GCP_ORGANIZATION_ID: 'acme', AWS_ENDPOINT_URL_S3: 'not a url' }, 'scan', '--source', 'all');
    expect(r.code).toBe(2);
    for (const v of ['AWS_ACCOUNT_IDS', 'GCP_ORGANIZATION_ID', 'AWS_ENDPOINT_URL_S3']) expect(r.stderr).toContain(v);
  });
});
