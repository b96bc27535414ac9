import { BUCKETS, ROUTINE_SECRET_KEYS } from './buckets.js';
import { HOUR, isWeekend, localToUtc, START_MS, DAY } from './calendar.js';
import { userAgent } from './user-agent.js';
import type { Call } from './model.js';
import type { Identity } from './organisation.js';
import type { DayContext } from './human-day.js';
import { Rng } from './rng.js';
import { runSession } from './run-session.js';

const VPCE = 'vpce-0a7e3c91d24f5b6c8';
/** The ordinary-life kind each service schedule is an example of. */
export const SERVICE_KIND: Record<string, string> = { etl: 'nightly-etl', backup: 'nightly-etl', ledger: 'nightly-etl', ci: 'routine-secret-names', app: 'private-rotation', reports: 'scheduled-job', indexer: 'scheduled-job' };
const WORLD = ['81.2', '92.184', '73.12', '2.50', '189.6', '41.203', '103.5', '177.34', '5.161', '151.38', '66.249', '24.114', '86.31', '212.58', '37.120'];

/** A day of a service (nightly ETL, CI, app server, backup, report scheduler, ledger export, indexer) or of website visitors. */
export function serviceDay(ctx: DayContext, id: Identity, day: number): Call[] {
  const rng = new Rng(ctx.seed, id.key, day, 'service');
  const out: Call[] = [];
  const [cloud, u] = Object.entries(id.clouds)[0]!;
  const c = cloud as Call['cloud'];
  const ua = () => userAgent(u.clients[0]!, 'linux', false, rng);
  const session = u.who.kind === 'role' ? u.who.sessions[day % u.who.sessions.length] : undefined;
  const base = { identity: id.key, cloud: c, day, ...(session ? { session } : {}) };
  const utc = (h: number) => START_MS + day * DAY + h * HOUR;
  const tag = `quiet-${SERVICE_KIND[id.schedule ?? ''] ?? 'scheduled-job'}-${id.key}`;
  switch (id.schedule) {
    case 'etl': {
      const [src, dst] = [u.buckets[0]!.item, u.buckets[1]!.item];
      const vpce = c === 'aws' ? { vpce: VPCE } : {};
      const t = runSession(out, { ...base, ...vpce, bucket: src, t0: utc(c === 'aws' ? 2 : 1) + rng.int(0, 600_000), ip: rng.pick(id.officeIps), ua: ua(), gap: 2, lists: rng.int(20, 40), reads: rng.int(800, 1500), tag }, rng);
      runSession(out, { ...base, ...vpce, bucket: dst, t0: t, ip: rng.pick(id.officeIps), ua: ua(), gap: 1.5, writes: rng.int(200, 400), deletes: rng.int(0, 30), tag }, rng);
      break;
    }
    case 'ci':
      if (isWeekend(day)) break;
      for (let n = rng.int(2, 6); n > 0; n--) {
        const t0 = localToUtc('Europe/London', day, rng.range(9, 18));
        runSession(out, { ...base, bucket: BUCKETS.deploy, t0, ip: id.homeIp, ua: ua(), gap: 0.8, lists: 1, reads: 3, keys: ROUTINE_SECRET_KEYS, writes: 1, tag }, rng);
      }
      break;
    case 'app':
      for (let h = 0; h < 24; h++) {
        const local = (h + 19) % 24; // New York hour
        const busy = local >= 8 && local <= 22 ? (isWeekend(day) ? 0.6 : 1) : 0.25;
        for (let n = rng.count(6 * busy); n > 0; n--) {
          const ip = `10.20.${rng.pick([0, 16, 32]) + rng.int(0, 15)}.${rng.int(2, 254)}`; // three /20 private subnets
          runSession(out, { ...base, vpce: VPCE, bucket: BUCKETS.uploads, t0: utc(h) + rng.int(0, 3_500_000), ip, ua: ua(), gap: 0.3, reads: rng.int(1, 6), writes: rng.chance(0.4) ? 1 : 0, tag }, rng);
        }
      }
      break;
    case 'backup': {
      const n = rng.int(300, 500);
      const t = runSession(out, { ...base, vpce: VPCE, bucket: BUCKETS.uploads, t0: utc(3) + rng.int(0, 300_000), ip: id.homeIp, ua: ua(), gap: 1, lists: 10, reads: n, tag }, rng);
      runSession(out, { ...base, vpce: VPCE, bucket: BUCKETS.backups, t0: t, ip: id.homeIp, ua: ua(), gap: 1, writes: Math.ceil(n / 20), deletes: rng.int(5, 15), tag }, rng);
      break;
    }
    case 'reports':
      if (isWeekend(day)) break;
      runSession(out, { ...base, bucket: BUCKETS.exports, t0: utc(6) + rng.int(0, 600_000), ip: id.homeIp, ua: ua(), gap: 1, lists: 5, reads: rng.int(80, 150), tag }, rng);
      runSession(out, { ...base, bucket: BUCKETS.reports, t0: utc(6.8), ip: id.homeIp, ua: ua(), gap: 1, writes: rng.int(20, 40), tag }, rng);
      break;
    case 'ledger': {
      const t = runSession(out, { ...base, bucket: BUCKETS.invoices, t0: utc(23.5) + rng.int(0, 300_000), ip: id.homeIp, ua: ua(), gap: 1, lists: 4, reads: rng.int(300, 500), tag }, rng);
      runSession(out, { ...base, bucket: BUCKETS.ledger, t0: t, ip: id.homeIp, ua: ua(), gap: 1, writes: rng.int(100, 200), tag }, rng);
      break;
    }
    case 'indexer':
      if (isWeekend(day)) break;
      for (let h = 3; h < 15; h++) {
        runSession(out, { ...base, bucket: rng.weighted(u.buckets), t0: utc(h) + rng.int(0, 600_000), ip: rng.pick(id.officeIps), ua: ua(), gap: 60, lists: 1, reads: rng.int(10, 30), tag }, rng);
      }
      break;
    case 'visitors':
      for (const [vc, use] of Object.entries(id.clouds)) {
        for (let h = 0; h < 24; h++) {
          const local = vc === 'aws' ? (h + 19) % 24 : h;
          const rate = (local >= 8 && local <= 23 ? 3 : 1) * (isWeekend(day) ? 0.7 : 1);
          for (let n = rng.count(rate); n > 0; n--) {
            const ip = `${rng.pick(WORLD)}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
            runSession(out, { identity: id.key, cloud: vc as Call['cloud'], day, bucket: use.buckets[0]!.item, t0: utc(h) + rng.int(0, 3_500_000), ip, ua: userAgent('browser', rng.pick(['mac', 'windows', 'linux'] as const), rng.chance(0.5), rng), gap: 0.2, reads: rng.int(3, 12), tag: `quiet-website-visitors-${vc}` }, rng);
          }
        }
      }
      break;
  }
  return out;
}
