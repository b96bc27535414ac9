import type { ActivityModel } from './activity.js';
import { atLocal, localTime } from './activity.js';
import { UNUSUAL_CLIENTS, VPS_PREFIXES } from './catalogue.js';
import { DATASETS, SECRET_KEYS, isoDate } from './object-keys.js';
import type { Population } from './population.js';
import type { DetectorId } from './scenarios.js';
import type { SeededRandom } from './seeded-random.js';
import type { BucketSpec, Identity, Op, SynthEvent } from './synthetic-event.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What an incident builder is given. */
export interface IncidentContext {
  /** The organisation. */
  pop: Population;
  /** Ordinary behaviour, for realistic keys and the actor's address of the day. */
  model: ActivityModel;
  /** Dataset end (exclusive), epoch ms. */
  endMs: number;
  /** The incident's own random stream. */
  rng: SeededRandom;
}

/** An incident's label (the rest is taken from its events) and events. */
export interface IncidentDraft {
  /** Detector, description and related detectors. */
  label: { kind: DetectorId; description: string; alsoMatches?: DetectorId[] };
  /** The injected events. */
  events: SynthEvent[];
}

/** Builds one incident. */
export type IncidentBuilder = (ctx: IncidentContext) => IncidentDraft;

function actor(pop: Population, role: string): Identity {
  const id = pop.identities.find((i) => i.role === role);
  if (!id) throw new Error(`no identity plays ${role}`);
  return id;
}

/** A local wall-clock time `daysBack` days before the end, preferring local weekdays, inside the last four days. */
function slot(ctx: IncidentContext, id: Identity, daysBack: number, hour: number, minute: number, weekdayOnly = true): number {
  const lo = ctx.endMs - 4 * DAY;
  const hi = ctx.endMs - 2 * 60 * MINUTE;
  const tries = [daysBack, 1, 2, 3, 0, 4].map((d) => atLocal(ctx.endMs - d * DAY, id.timeZone, hour, minute));
  const ok = (t: number): boolean => t >= lo && t <= hi && (!weekdayOnly || ![0, 6].includes(localTime(t, id.timeZone).dow));
  return tries.find(ok) ?? tries.find((t) => t >= lo && t <= hi) ?? lo + DAY;
}

function usualIp(ctx: IncidentContext, id: Identity, t: number): string {
  return id.human ? ctx.model.dayPlan(id, localTime(t, id.timeZone)).ip : (id.ips[0] ?? '');
}

/** `n` ordinary-looking events of the actor spread over `span` ms, with overrides. */
function burst(ctx: IncidentContext, id: Identity, start: number, span: number, n: number, make: (i: number, t: number) => Partial<SynthEvent> & { op?: Op }): SynthEvent[] {
  const out: SynthEvent[] = [];
  const ip = usualIp(ctx, id, start);
  for (let i = 0; i < n; i++) {
    const t = start + Math.floor((i / n) * span) + ctx.rng.int(0, Math.max(1, Math.floor(span / n)));
    const o = make(i, t);
    const base = ctx.model.event(id, t, ip, id.clients[0] ?? '', ctx.rng, o.op ?? 'read');
    out.push({ ...base, denied: false, ...o, time: t });
  }
  return out;
}

function bucket(pop: Population, slotId: string): BucketSpec {
  const b = pop.buckets.get(slotId);
  if (!b) throw new Error(`unknown bucket ${slotId}`);
  return b;
}

const afterHours: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'aws-after-hours');
  const start = slot(ctx, id, 3, 3, 5, false);
  const n = ctx.rng.int(320, 420);
  const home = id.ips[1] ?? '';
  const events = burst(ctx, id, start, ctx.rng.int(40, 55) * MINUTE, n, (i) => {
    const b = id.buckets[i % id.buckets.length] as BucketSpec;
    const key = ctx.pop.keys.keyAt(b, 200 + i * 7);
    return { bucket: b, key, bytes: ctx.pop.keys.sizeOf(b, key) * 3, ip: home };
  });
  const gb = events.reduce((s, e) => s + e.bytes, 0) / 1e9;
  return {
    label: { kind: 'after-hours-bulk-download', description: `${n} GetObject (${gb.toFixed(1)} GB) at 03:05-04:00 ${id.timeZone} by a 9-to-5 analyst, from their home address and usual aws-cli`, alsoMatches: ['api-call-spike', 'volume-exfiltration'] },
    events,
  };
};

const volume: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'aws-volume');
  const start = slot(ctx, id, 2, 14, 10);
  const n = ctx.rng.int(10, 14);
  const b = bucket(ctx.pop, 'prod-exports');
  const events = burst(ctx, id, start, 25 * MINUTE, n, (i) => ({
    bucket: b,
    key: `exports/full/${DATASETS[i % DATASETS.length] ?? ''}-full-export-${isoDate(start - (1 + i) * DAY)}.csv.gz`,
    bytes: ctx.rng.int(550, 1200) * 1_000_000,
  }));
  const gb = events.reduce((s, e) => s + e.bytes, 0) / 1e9;
  return { label: { kind: 'volume-exfiltration', description: `${n} GetObject of full exports totalling ${gb.toFixed(1)} GB in 25 minutes (usual: tens of MB a day), working hours, usual address and client` }, events };
};

const enumeration: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'aws-enumeration');
  const start = slot(ctx, id, 1, 11, 5);
  const targets = [...ctx.pop.buckets.values()].filter((b) => b.account === id.account);
  const guesses = ['backup.sql', '.git/config', 'config.json', 'admin/users.csv', 'db/dump.sql.gz', 'secrets.yaml'];
  const n = ctx.rng.int(240, 320);
  const events = burst(ctx, id, start, ctx.rng.int(8, 12) * MINUTE, n, (i) => {
    const b = targets[i % targets.length] as BucketSpec;
    const list = ctx.rng.chance(0.4);
    return { bucket: b, op: list ? 'list' : 'read', key: list ? undefined : ctx.rng.pick(guesses), bytes: 0, denied: true };
  });
  return { label: { kind: 'enumeration-denied-burst', description: `${n} AccessDenied (ListObjects/GetObject) across ${targets.length} buckets in ~10 minutes by a reporting key that normally reads one bucket`, alsoMatches: ['api-call-spike'] }, events };
};

const awsClient: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'aws-unusual-client');
  const start = slot(ctx, id, 2, 10, 30);
  const n = ctx.rng.int(25, 40);
  const events = burst(ctx, id, start, 30 * MINUTE, n, () => ({ op: ctx.rng.chance(0.3) ? 'list' : 'read', client: UNUSUAL_CLIENTS.kaliCli }));
  return { label: { kind: 'unusual-client', description: `${n} ordinary reads and lists with a Kali Linux aws-cli user agent (md/distrib#kali) never used by this engineer; usual address, buckets and volume` }, events };
};

const anonymous: IncidentBuilder = (ctx) => {
  const id = ctx.pop.anonymous;
  const start = slot(ctx, id, 2, 21, 0, false);
  const ips = [0, 1, 2, 3].map(() => `${ctx.rng.pick(VPS_PREFIXES)}.${ctx.rng.int(0, 255)}.${ctx.rng.int(2, 254)}`);
  const n = ctx.rng.int(500, 700);
  const b = id.buckets[0] as BucketSpec;
  const events = burst(ctx, id, start, ctx.rng.int(20, 25) * MINUTE, n, (i) => {
    const probe = ctx.rng.chance(0.07);
    const key = probe ? `${ctx.rng.pick(['internal', 'backup', 'private'])}/${ctx.rng.pick(['db.sql', 'users.csv', 'config.json'])}` : ctx.pop.keys.keyAt(b, i);
    return { key, bytes: probe ? 0 : ctx.pop.keys.sizeOf(b, key), denied: probe, ip: ips[i % ips.length], client: i % 2 ? UNUSUAL_CLIENTS.pythonRequests : UNUSUAL_CLIENTS.curl };
  });
  return { label: { kind: 'anonymous-access-burst', description: `${n} anonymous GetObject on public bucket ${b.name} in ~20 minutes from 4 rented-server addresses with curl/python-requests (usual: ~3 an hour from browsers)`, alsoMatches: ['api-call-spike', 'new-source-ip', 'unusual-client'] }, events };
};

const newIp: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'gcp-new-source-ip');
  const start = slot(ctx, id, 3, 10, 20);
  const ip = `${ctx.rng.pick(VPS_PREFIXES)}.${ctx.rng.int(0, 255)}.${ctx.rng.int(2, 254)}`;
  const n = ctx.rng.int(30, 50);
  const events = burst(ctx, id, start, 50 * MINUTE, n, () => ({ op: ctx.rng.chance(0.25) ? 'list' : 'read', ip }));
  return { label: { kind: 'new-source-ip', description: `${n} reads and lists from a rented server address ${ip} never seen for this user, in working hours with the usual gsutil and buckets` }, events };
};

const sweep: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'gcp-sweep');
  const start = slot(ctx, id, 2, 15, 0);
  const b = bucket(ctx.pop, 'ga-events');
  const n = ctx.rng.int(2400, 3200);
  const events = burst(ctx, id, start, ctx.rng.int(6, 9) * MINUTE, n, (i) => ({
    bucket: b,
    key: `data/${DATASETS[i % DATASETS.length] ?? ''}/dt=${isoDate(ctx.endMs - (5 + (Math.floor(i / 5) % 40)) * DAY)}/part-${String(Math.floor(i / 200)).padStart(5, '0')}.snappy.parquet`,
  }));
  return { label: { kind: 'rapid-object-sweep', description: `${n} distinct objects read from ${b.name} in under 10 minutes (usual: a few dozen objects an hour)`, alsoMatches: ['api-call-spike'] }, events };
};

const gcpClient: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'gcp-unusual-client');
  const start = slot(ctx, id, 1, 11, 0);
  const n = ctx.rng.int(30, 45);
  const events = burst(ctx, id, start, 40 * MINUTE, n, () => ({ op: ctx.rng.chance(0.3) ? 'list' : 'read', client: UNUSUAL_CLIENTS.rclone }));
  return { label: { kind: 'unusual-client', description: `${n} reads and lists with rclone/v1.66.0 by a user who only ever used gsutil; usual address, buckets and volume` }, events };
};

const firstBucket: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'gcp-first-bucket');
  const start = slot(ctx, id, 2, 10, 40);
  const b = bucket(ctx.pop, 'ga-payroll');
  const n = ctx.rng.int(20, 30);
  const events = burst(ctx, id, start, 30 * MINUTE, n + 3, (i) => (i < 3 ? { bucket: b, op: 'list', key: undefined } : { bucket: b, key: ctx.pop.keys.keyAt(b, i) }));
  return { label: { kind: 'first-bucket-access', description: `3 lists and ${n} reads in ${b.name}, a bucket this user never touched in 4 weeks; usual hours, address and client` }, events };
};

const apiSpike: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'azure-api-spike');
  const start = slot(ctx, id, 3, 13, 0, false);
  const n = id.ratePerHour * ctx.rng.int(25, 45);
  const events = burst(ctx, id, start, 58 * MINUTE, n, () => ({ op: ctx.rng.chance(0.6) ? 'list' : 'read' }));
  return { label: { kind: 'api-call-spike', description: `${n} ListBlobs/GetBlob in one hour by a SAS feed that makes ~${id.ratePerHour} calls an hour (~${Math.round(n / id.ratePerHour)}x), same address and client` }, events };
};

const massDeletion: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'azure-mass-deletion');
  const start = slot(ctx, id, 1, 16, 0);
  const n = ctx.rng.int(700, 1000);
  const events = burst(ctx, id, start, ctx.rng.int(10, 14) * MINUTE, n, (i) => {
    const b = id.buckets[i % 2] as BucketSpec;
    return { bucket: b, op: 'delete', key: `${b.kind === 'reports' ? 'reports' : 'shared'}/archive/${2019 + (i % 6)}/${ctx.rng.pick(['budget', 'minutes', 'plan', 'forecast', 'contract'])}-${i}.${ctx.rng.pick(['xlsx', 'docx', 'pdf'])}`, bytes: 0 };
  });
  return { label: { kind: 'mass-deletion', description: `${n} DeleteBlob in ~12 minutes across 2 containers by a user who otherwise deletes a handful of blobs a day`, alsoMatches: ['api-call-spike', 'rapid-object-sweep'] }, events };
};

const secretRead: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'azure-secret-read');
  const start = slot(ctx, id, 2, 11, 30);
  const b = bucket(ctx.pop, 'ad-deploy');
  const events = burst(ctx, id, start, 4 * MINUTE, SECRET_KEYS.length + 2, (i) => {
    const key = SECRET_KEYS[i - 2];
    return key ? { bucket: b, key, bytes: ctx.rng.int(400, 12_000) } : { bucket: b, op: 'list', key: undefined };
  });
  return { label: { kind: 'secret-object-read', description: `2 lists then reads of ${SECRET_KEYS.join(', ')} in ${b.name} within 4 minutes` }, events };
};

const azureClient: IncidentBuilder = (ctx) => {
  const id = actor(ctx.pop, 'azure-unusual-client');
  const start = slot(ctx, id, 3, 9, 40, false);
  const n = ctx.rng.int(20, 30);
  const events = burst(ctx, id, start, 30 * MINUTE, n, () => ({ client: UNUSUAL_CLIENTS.curl }));
  return { label: { kind: 'unusual-client', description: `${n} GetBlob with curl/8.5.0 using a storage account key that is only ever used by the .NET SDK; usual address and volume` }, events };
};

/** Every incident, at least one per detector, spread over the three clouds. */
export const INCIDENT_BUILDERS: readonly IncidentBuilder[] = [
  afterHours, volume, enumeration, awsClient, anonymous,
  newIp, sweep, gcpClient, firstBucket,
  apiSpike, massDeletion, secretRead, azureClient,
];
