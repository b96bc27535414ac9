import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityKey } from '../../src/core/event.js';
import { DETECTOR_IDS, generateDataset } from '../../src/demo/generate-dataset.js';
import type { DatasetManifest, DatasetOptions } from '../../src/demo/generate-dataset.js';
import { listInputFiles, readFileEvents } from '../../src/sources/files/read-files.js';
import { cloudOfFile, datasetRecords, fileRecords, hashDataset } from './dataset-records.js';
import type { DatasetRecord } from './dataset-records.js';

const root = mkdtempSync(join(tmpdir(), 'sw-demo-'));
const SMALL: Omit<DatasetOptions, 'seed' | 'outDir'> = { days: 4, identities: 20 };
const DAY = 86_400_000;

async function generate(name: string, o: Omit<DatasetOptions, 'outDir'>): Promise<{ dir: string; manifest: DatasetManifest }> {
  const dir = join(root, name);
  return { dir, manifest: await generateDataset({ ...o, outDir: dir }) };
}

let a: { dir: string; manifest: DatasetManifest };
let again: { dir: string; manifest: DatasetManifest };
let other: { dir: string; manifest: DatasetManifest };
let records: DatasetRecord[];
const progress: [number, number][] = [];

beforeAll(async () => {
  a = await generate('a', { seed: 11, ...SMALL, onProgress: (d, t) => progress.push([d, t]) });
  again = await generate('again', { seed: 11, ...SMALL });
  other = await generate('other', { seed: 12, ...SMALL, days: 1 });
  records = datasetRecords(a.dir, a.manifest.files);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateDataset', () => {
  it('writes byte-identical files and manifest for the same seed', () => {
    expect(again.manifest).toEqual(a.manifest);
    expect(hashDataset(again.dir, again.manifest.files)).toBe(hashDataset(a.dir, a.manifest.files));
  });

  it('writes a different dataset for another seed', () => {
    expect(hashDataset(other.dir, other.manifest.files)).not.toBe(hashDataset(a.dir, a.manifest.files));
    const ids = (m: DatasetManifest): string[] => m.incidents.map((i) => i.principalId);
    expect(ids(other.manifest)).not.toEqual(ids(a.manifest));
  });

  it('writes manifest.json equal to the returned manifest, covering the requested span', () => {
    expect(JSON.parse(readFileSync(join(a.dir, 'manifest.json'), 'utf8'))).toEqual(a.manifest);
    expect(a.manifest.end).toBe('2026-11-28T00:00:00.000Z');
    expect(a.manifest.start).toBe('2026-11-24T00:00:00.000Z');
    expect(a.manifest.identities).toBe(20);
    expect(a.manifest.events).toBe(records.length);
    expect(progress.at(-1)).toEqual([96, 96]);
  });

  it('labels at least one incident per detector, all inside the last four days, on all three clouds', () => {
    const end = Date.parse(a.manifest.end);
    expect(new Set(a.manifest.incidents.map((i) => i.kind))).toEqual(new Set(DETECTOR_IDS));
    expect(new Set(a.manifest.incidents.map((i) => i.cloud))).toEqual(new Set(['aws', 'gcp', 'azure']));
    for (const i of a.manifest.incidents) {
      expect(Date.parse(i.start)).toBeGreaterThanOrEqual(end - 4 * DAY);
      expect(Date.parse(i.end)).toBeLessThan(end);
      expect(Date.parse(i.start)).toBeLessThanOrEqual(Date.parse(i.end));
      expect(i.description.length).toBeGreaterThan(20);
    }
  });

  it('lists the five traps, each an identity with records', () => {
    expect(a.manifest.traps.map((t) => t.kind).sort()).toEqual(['heavy-fridays', 'new-hire', 'nightly-etl', 'traveller', 'vpn-rotation']);
    for (const t of a.manifest.traps) expect(records.some((r) => r.cloud === t.cloud && r.principalId === t.principalId)).toBe(true);
  });

  it('lays files out as the clouds deliver them', () => {
    const aws = /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/\d{4}\/\d{2}\/\d{2}\/\1_CloudTrail_\2_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;
    const gcp = /^cloudaudit\.googleapis\.com\/data_access\/\d{4}\/\d{2}\/\d{2}\/(\d{2}):00:00_\1:59:59_S0\.json$/;
    const azure = /^insights-logs-storage(read|write|delete)\/resourceId=\/SUBSCRIPTIONS\/[0-9A-F-]{36}\/RESOURCEGROUPS\/[A-Z0-9-]+\/PROVIDERS\/MICROSOFT\.STORAGE\/STORAGEACCOUNTS\/[A-Z0-9]+\/BLOBSERVICES\/DEFAULT\/y=\d{4}\/m=\d{2}\/d=\d{2}\/h=\d{2}\/m=00\/PT1H\.json$/;
    for (const f of a.manifest.files) expect([aws, gcp, azure].some((re) => re.test(f)), f).toBe(true);
    for (const cloud of ['aws', 'gcp', 'azure']) expect(a.manifest.files.some((f) => cloudOfFile(f) === cloud)).toBe(true);
  });

  it('writes CloudTrail S3 data events, Cloud Audit data_access entries and blob resource logs', () => {
    const wrong = (r: DatasetRecord): boolean => {
      if (r.cloud === 'aws') {
        const { eventVersion, eventSource, eventType, managementEvent, eventCategory, eventTime } = r.raw;
        return eventVersion !== '1.09' || eventSource !== 's3.amazonaws.com' || eventType !== 'AwsApiCall' || managementEvent !== false || eventCategory !== 'Data' ||
          !/^\[.+\]$/.test(r.client) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(eventTime);
      }
      if (r.cloud === 'gcp') {
        const p = r.raw.protoPayload;
        const hour = /\/(\d{2}):00:00_/.exec(r.file)?.[1];
        return p['@type'] !== 'type.googleapis.com/google.cloud.audit.AuditLog' || p.serviceName !== 'storage.googleapis.com' ||
          !/^projects\/[a-z0-9-]+\/logs\/cloudaudit\.googleapis\.com%2Fdata_access$/.test(r.raw.logName) ||
          !(Date.parse(r.raw.receiveTimestamp) > r.time) || new Date(r.time).toISOString().slice(11, 13) !== hour;
      }
      return !/^[\d.]+:\d+$/.test(r.raw.callerIpAddress) || !r.file.startsWith(`insights-logs-${String(r.raw.category).toLowerCase()}/`) || r.raw.properties.serviceType !== 'blob';
    };
    expect(records.filter(wrong).slice(0, 3)).toEqual([]);
    const late = records.filter((r) => r.cloud === 'gcp' && Date.parse(r.raw.receiveTimestamp) - r.time > 60_000);
    expect(late.length).toBeGreaterThan(0);
  });

  it('puts every labelled principal id in the records, inside the incident window', () => {
    for (const i of a.manifest.incidents) {
      const inWindow = records.filter((r) => r.cloud === i.cloud && r.principalId === i.principalId && r.time >= Date.parse(i.start) && r.time <= Date.parse(i.end));
      expect(inWindow.length, `${i.kind} ${i.principalId}`).toBeGreaterThanOrEqual(8);
    }
  });

  it('is read by the project file reader without a single rejected or skipped record', async () => {
    const keys = new Set<string>();
    const kinds = { event: 0, skip: 0, reject: 0 };
    for (const file of listInputFiles([a.dir]).filter((f) => !f.endsWith('manifest.json'))) {
      for await (const item of readFileEvents(file)) {
        kinds[item.kind]++;
        if (item.kind === 'event') keys.add(identityKey(item.event));
      }
    }
    expect(kinds).toEqual({ event: a.manifest.events, skip: 0, reject: 0 });
    for (const x of [...a.manifest.incidents, ...a.manifest.traps]) expect(keys.has(`${x.cloud}|${x.account}|${x.principalId}`), x.principalId).toBe(true);
  });

  it('parses every AWS file as gzip of {"Records":[...]} and every other file as one JSON object per line', () => {
    for (const f of a.manifest.files.slice(0, 200)) expect(fileRecords(a.dir, f).length).toBeGreaterThan(0);
  });
});

describe('generateDataset options', () => {
  it('leaves incidents and traps out when asked, and honours end and days', async () => {
    const { manifest, dir } = await generate('plain', { seed: 11, days: 2, identities: 17, incidents: false, traps: false, end: new Date('2025-03-15T12:34:56Z') });
    expect(manifest.incidents).toEqual([]);
    expect(manifest.traps).toEqual([]);
    expect(manifest.start).toBe('2025-03-13T12:00:00.000Z');
    expect(manifest.end).toBe('2025-03-15T12:00:00.000Z');
    const plain = datasetRecords(dir, manifest.files);
    expect(plain.some((r) => /rclone|kali|curl\/|python-requests/.test(r.client))).toBe(false);
    const etl = plain.filter((r) => r.principalId.endsWith(':role/etl-nightly-batch'));
    expect(etl.length).toBeGreaterThan(0);
    expect(etl.filter((r) => new Date(r.time).getUTCHours() === 2).length).toBeLessThan(100);
  });

  it('refuses a non-positive number of days', async () => {
    await expect(generateDataset({ seed: 1, outDir: join(root, 'bad'), days: 0 })).rejects.toThrow(/days/);
  });
});
