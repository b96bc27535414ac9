import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/demo/generate-dataset.js';
import type { DatasetManifest, LabelledIncident, Trap } from '../../src/demo/generate-dataset.js';
import { datasetRecords } from './dataset-records.js';
import type { DatasetRecord } from './dataset-records.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-demo-scenarios-'));
const DAY = 86_400_000;
let manifest: DatasetManifest;
let records: DatasetRecord[];
let end: number;

beforeAll(async () => {
  manifest = await generateDataset({ seed: 5, outDir: dir, days: 8, identities: 17 });
  records = datasetRecords(dir, manifest.files);
  end = Date.parse(manifest.end);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function incidents(kind: LabelledIncident['kind']): LabelledIncident[] {
  const found = manifest.incidents.filter((i) => i.kind === kind);
  expect(found.length).toBeGreaterThan(0);
  return found;
}

function split(i: { cloud: string; principalId: string; start: string; end: string }): { before: DatasetRecord[]; during: DatasetRecord[] } {
  const mine = records.filter((r) => r.cloud === i.cloud && r.principalId === i.principalId);
  return {
    before: mine.filter((r) => r.time < Date.parse(i.start)),
    during: mine.filter((r) => r.time >= Date.parse(i.start) && r.time <= Date.parse(i.end)),
  };
}

function trap(kind: Trap['kind']): DatasetRecord[] {
  const t = manifest.traps.find((x) => x.kind === kind);
  if (!t) throw new Error(`no ${kind} trap`);
  return records.filter((r) => r.cloud === t.cloud && r.principalId === t.principalId);
}

const utcDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

describe('incidents are shaped as labelled', () => {
  it('after-hours bulk download: hundreds of reads around 03:00 local by someone who never works at night', () => {
    const [i] = incidents('after-hours-bulk-download');
    const { before, during } = split(i!);
    expect(during.filter((r) => r.op === 'GetObject').length).toBeGreaterThan(300);
    expect(new TZDate(Date.parse(i!.start), 'Europe/London').getHours()).toBe(3);
    expect(before.filter((r) => new TZDate(r.time, 'Europe/London').getHours() < 6)).toEqual([]);
  });

  it('volume exfiltration: gigabytes in minutes against megabytes a day', () => {
    const { before, during } = split(incidents('volume-exfiltration')[0]!);
    expect(during.reduce((s, r) => s + r.bytesOut, 0)).toBeGreaterThan(5e9);
    const days = new Set(before.map((r) => utcDay(r.time))).size;
    expect(before.reduce((s, r) => s + r.bytesOut, 0) / days).toBeLessThan(3e8);
  });

  it('enumeration: hundreds of AccessDenied across many buckets', () => {
    const { during } = split(incidents('enumeration-denied-burst')[0]!);
    expect(during.filter((r) => r.denied).length).toBeGreaterThan(200);
    expect(new Set(during.map((r) => r.bucket)).size).toBeGreaterThanOrEqual(8);
  });

  it('unusual client: a user agent the identity never used before', () => {
    for (const i of incidents('unusual-client')) {
      const { before, during } = split(i);
      const known = new Set(before.map((r) => r.client));
      expect(during.filter((r) => !known.has(r.client)).length).toBeGreaterThanOrEqual(15);
    }
    expect(new Set(incidents('unusual-client').map((i) => i.cloud))).toEqual(new Set(['aws', 'gcp', 'azure']));
  });

  it('new source ip: requests from an address never seen for the identity', () => {
    const { before, during } = split(incidents('new-source-ip')[0]!);
    const known = new Set(before.map((r) => r.ip));
    expect(during.filter((r) => !known.has(r.ip)).length).toBeGreaterThanOrEqual(25);
  });

  it('rapid object sweep: thousands of distinct objects within ten minutes', () => {
    const [i] = incidents('rapid-object-sweep');
    const { during } = split(i!);
    expect(new Set(during.map((r) => r.key)).size).toBeGreaterThan(2000);
    expect(Date.parse(i!.end) - Date.parse(i!.start)).toBeLessThanOrEqual(10 * 60_000);
  });

  it('first bucket access: a bucket the identity never touched before', () => {
    const { before, during } = split(incidents('first-bucket-access')[0]!);
    const known = new Set(before.map((r) => r.bucket));
    expect(before.length).toBeGreaterThan(50);
    expect(during.filter((r) => !known.has(r.bucket)).length).toBeGreaterThanOrEqual(20);
  });

  it('api call spike: at least ten times the usual hourly rate', () => {
    const { before, during } = split(incidents('api-call-spike')[0]!);
    const hours = new Set(before.map((r) => Math.floor(r.time / 3_600_000))).size;
    expect(during.length).toBeGreaterThan(10 * (before.length / hours));
  });

  it('mass deletion: hundreds of deletes in minutes', () => {
    const { during } = split(incidents('mass-deletion')[0]!);
    expect(during.filter((r) => r.op === 'DeleteBlob').length).toBeGreaterThan(500);
  });

  it('secret object read: .env, private keys, credentials and terraform state', () => {
    const { during } = split(incidents('secret-object-read')[0]!);
    const keys = during.map((r) => r.key ?? '');
    for (const pattern of [/\.env$/, /id_rsa$/, /credentials\.json$/, /\.pem$/, /terraform\.tfstate$/]) expect(keys.some((k) => pattern.test(k))).toBe(true);
  });

  it('anonymous burst: hundreds of unauthenticated reads', () => {
    const [i] = incidents('anonymous-access-burst');
    expect(i!.principalId).toBe('anonymous');
    expect(split(i!).during.length).toBeGreaterThan(300);
  });
});

describe('traps behave as described', () => {
  it('nightly ETL bulk-reads over a thousand objects at 02:00 UTC every night', () => {
    const etl = trap('nightly-etl');
    const nights = new Map<string, number>();
    for (const r of etl) if (new Date(r.time).getUTCHours() === 2 && r.op === 'GetObject') nights.set(utcDay(r.time), (nights.get(utcDay(r.time)) ?? 0) + 1);
    expect(nights.size).toBe(8);
    for (const n of nights.values()) expect(n).toBeGreaterThan(1000);
  });

  it('heavy Fridays are several times the other weekdays', () => {
    const perDay = new Map<number, number>();
    for (const r of trap('heavy-fridays')) perDay.set(new Date(r.time).getUTCDay(), (perDay.get(new Date(r.time).getUTCDay()) ?? 0) + 1);
    const others = [1, 2, 3, 4].map((d) => perDay.get(d) ?? 0);
    expect(perDay.get(5) ?? 0).toBeGreaterThan(3 * (others.reduce((s, n) => s + n, 0) / others.length));
  });

  it('the VPN user changes address daily inside one /24', () => {
    const vpn = trap('vpn-rotation');
    expect(new Set(vpn.map((r) => r.ip.split('.').slice(0, 3).join('.'))).size).toBe(1);
    expect(new Set(vpn.map((r) => r.ip)).size).toBeGreaterThanOrEqual(5);
  });

  it('the new hire has no history before the last five days', () => {
    const hire = trap('new-hire');
    expect(hire.length).toBeGreaterThan(50);
    expect(Math.min(...hire.map((r) => r.time))).toBeGreaterThanOrEqual(end - 5 * DAY);
  });

  it('the traveller works from a new /16 for the last three days only', () => {
    const travel = trap('traveller');
    const net = (ip: string): string => ip.split('.').slice(0, 2).join('.');
    const before = new Set(travel.filter((r) => r.time < end - 3 * DAY).map((r) => net(r.ip)));
    const during = new Set(travel.filter((r) => r.time >= end - 3 * DAY).map((r) => net(r.ip)));
    expect(during.size).toBe(1);
    expect(before.has([...during][0]!)).toBe(false);
  });
});
