import { BUCKETS, GUESSED_BUCKETS, SECRET_KEYS } from './buckets.js';
import { localToUtc } from './calendar.js';
import type { Bucket, Call } from './model.js';
import type { Identity } from './organisation.js';
import { usualFor } from './human-day.js';
import type { DayContext } from './human-day.js';
import type { PlannedIncident } from './plan.js';
import { Rng } from './rng.js';
import { runSession } from './run-session.js';
import type { SessionSpec } from './run-session.js';

const HOSTING = ['45.146.164', '185.220.101', '194.165.16', '91.92.240', '5.188.206', '139.59.88', '167.99.12'];
const AZURE_ACCOUNTS = ['nwfinancedocs', 'nwclientdocs', 'nwwebassets'];

function guessedBucket(cloud: Call['cloud'], name: string, rng: Rng): Bucket {
  const base = { cloud, name, keys: ['data/{n}.bin', 'backup/{n}.tar.gz'], objects: 100, sizeMedian: 1000 };
  if (cloud === 'azure') return { ...base, name: name.replace(/^nw-/, ''), region: 'uksouth', account: rng.pick(AZURE_ACCOUNTS) };
  return { ...base, region: cloud === 'aws' ? 'us-east-1' : 'EUROPE-WEST2' };
}

/** The calls of one planted incident. */
export function incidentCalls(ctx: DayContext, id: Identity, inc: PlannedIncident, day: number): Call[] {
  const rng = new Rng(ctx.seed, inc.id);
  const out: Call[] = [];
  const cloud = inc.cloud;
  const u = id.clouds[cloud]!;
  if (inc.kind === 'anonymous-private-read') {
    const bucket = cloud === 'aws' ? BUCKETS.curated : BUCKETS.ledger;
    let t = localToUtc('UTC', day, rng.range(1, 22));
    for (let n = rng.int(1, 3), total = rng.int(200, 800); n > 0; n--) {
      const ip = `${rng.pick(HOSTING)}.${rng.int(2, 254)}`;
      t = runSession(out, { identity: id.key, cloud, bucket, t0: t, day, ip, ua: rng.pick(['curl/8.5.0', 'python-requests/2.32.3', 'Wget/1.21.4']), gap: 3600 / total, reads: Math.ceil(total / n), distinct: true, tag: inc.id }, rng);
    }
    return out;
  }
  const usual = usualFor(ctx, id, cloud, day);
  const main = u.buckets[0]!.item;
  const common: Omit<SessionSpec, 't0' | 'gap' | 'bucket'> = { identity: id.key, cloud, day, ip: usual.ip, ua: usual.ua(rng), tag: inc.id, ...(usual.session ? { session: usual.session } : {}) };
  const work = (frac: number) => localToUtc(id.tz, day, id.startHour + frac * id.dayLength);
  switch (inc.kind) {
    case 'after-hours-bulk-download': {
      const reads = Math.max(800, Math.round(u.reads * rng.range(8, 12)));
      const change = ctx.plan.addressChanges.get(id.key);
      const home = change && day >= change.day ? change.ip : id.homeIp;
      runSession(out, { ...common, ip: home, bucket: main, t0: localToUtc(id.tz, day, rng.range(1, 2.5)), gap: rng.range(3000, 5400) / reads, lists: 5, reads, distinct: true, sizeFactor: 2 }, rng);
      break;
    }
    case 'exfil-new-address': {
      const reads = Math.max(200, Math.round(u.reads * 5));
      runSession(out, { ...common, ip: `${rng.pick(HOSTING)}.${rng.int(2, 254)}`, bucket: main, t0: work(rng.range(0.2, 0.6)), gap: 7200 / reads, lists: 4, reads, distinct: true }, rng);
      break;
    }
    case 'slow-exfiltration': {
      const extra = Math.round(u.reads * rng.range(3, 5));
      const parts = 8;
      for (let k = 0; k < parts; k++) {
        runSession(out, { ...common, bucket: rng.weighted(u.buckets), t0: work((k + rng.next() * 0.5) / parts), gap: 2, reads: Math.round(extra / parts), distinct: true }, rng);
      }
      break;
    }
    case 'rapid-object-sweep': {
      const reads = rng.int(2500, 6000);
      runSession(out, { ...common, bucket: main, t0: work(rng.range(0.2, 0.8)), gap: (rng.range(4, 10) * 60) / reads, lists: 3, reads, distinct: true, sizeFactor: 0.05 }, rng);
      break;
    }
    case 'mass-deletion': {
      const deletes = rng.int(1000, 4000);
      runSession(out, { ...common, bucket: main, t0: work(rng.range(0.2, 0.8)), gap: (rng.range(15, 30) * 60) / deletes, lists: 2, deletes }, rng);
      break;
    }
    case 'enumeration-denied': {
      const names = rng.shuffle(GUESSED_BUCKETS).slice(0, rng.int(20, 60));
      let t = work(rng.range(0.2, 0.8));
      const per = Math.max(3, Math.round(rng.int(150, 500) / names.length));
      for (const name of names) {
        t = runSession(out, { ...common, bucket: guessedBucket(cloud, name, rng), t0: t, gap: 1800 / (names.length * per), lists: Math.ceil(per / 3), reads: per - Math.ceil(per / 3), denied: true }, rng);
      }
      break;
    }
    case 'list-spike': {
      const lists = Math.max(300, Math.round(u.lists * 30));
      let t = work(rng.range(0.2, 0.7));
      for (let k = 0; k < 4; k++) t = runSession(out, { ...common, bucket: rng.weighted(u.buckets), t0: t, gap: 3300 / lists, lists: Math.round(lists / 4) }, rng);
      break;
    }
    case 'secret-read': {
      const keys = rng.shuffle(SECRET_KEYS).slice(0, rng.int(6, 15)).map((k) => `ops/old-laptop-backup/${k}`);
      runSession(out, { ...common, bucket: main, t0: work(rng.range(0.2, 0.8)), gap: 15, lists: 3, reads: keys.length, keys }, rng);
      break;
    }
  }
  return out;
}
