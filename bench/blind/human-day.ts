import { BUCKETS, ROUTINE_SECRET_KEYS, TF_STACKS, personalBucket } from './buckets.js';
import { isWeekend, localToUtc, weekday } from './calendar.js';
import { userAgent } from './user-agent.js';
import type { ClientKind } from './user-agent.js';
import type { Call, Cloud } from './model.js';
import type { CloudUse, Identity } from './organisation.js';
import { isOffDay } from './plan.js';
import type { Plan, PlannedEpisode } from './plan.js';
import { Rng } from './rng.js';
import { clientGap, runSession } from './run-session.js';

/** Generation context shared by every identity-day. */
export interface DayContext {
  seed: number;
  days: number;
  plan: Plan;
  identities: Map<string, Identity>;
}

/** Where and with what an identity works on a day: its address and its main client's user agent. */
export interface Usual {
  ip: string;
  client: ClientKind;
  ua: (rng: Rng) => string;
  session?: string;
}

/** The address a person uses on a day: the office on most Tuesdays to Thursdays, home otherwise. */
export function usualIp(ctx: DayContext, id: Identity, day: number): string {
  const rng = new Rng(ctx.seed, id.key, day, 'where');
  const inOffice = [1, 2, 3].includes(weekday(day)) ? rng.chance(0.8) : rng.chance(0.1);
  if (inOffice && !isWeekend(day)) return rng.pick(id.officeIps);
  const change = ctx.plan.addressChanges.get(id.key);
  return change && day >= change.day ? change.ip : id.homeIp;
}

/** The usual address and main client of an identity in a cloud on a day. */
export function usualFor(ctx: DayContext, id: Identity, cloud: Cloud, day: number): Usual {
  const u = id.clouds[cloud]!;
  const client = u.clients[0]!;
  return { ip: usualIp(ctx, id, day), client, ua: (rng) => userAgent(client, id.os, day >= u.upgradeDay, rng), session: awsSession(ctx, id, u, day) };
}

function awsSession(ctx: DayContext, id: Identity, u: CloudUse, day: number): string | undefined {
  if (u.who.kind === 'sso') return `ASIA${new Rng(ctx.seed, id.key, day, 'key').alnum(16)}`;
  if (u.who.kind === 'role') return u.who.sessions[day % u.who.sessions.length];
  return undefined;
}

/** Ordinary activity of a person on a day, with the ordinary-life episodes planned for it. */
export function humanDay(ctx: DayContext, id: Identity, day: number): Call[] {
  if (day < id.firstDay || day > id.lastDay) return [];
  const slot = ctx.plan.byDay.get(id.key)?.get(day);
  const episodes = slot?.episodes ?? [];
  const find = (kind: string) => episodes.find((e) => e.kind === kind);
  const weekend = find('weekend-work');
  if (isWeekend(day) ? !weekend : isOffDay(ctx.seed, id.key, day)) return [];
  const rng = new Rng(ctx.seed, id.key, day, 'day');
  const out: Call[] = [];
  const ramp = day - id.firstDay < 6 && id.firstDay > 0 ? 0.3 + 0.12 * (day - id.firstDay) : 1;
  const heavy = find('heavy-day');
  const factor = rng.logNormal(1, 0.35) * (heavy?.factor ?? 1) * ramp * (weekend ? 0.4 : 1);
  const start = weekend ? id.startHour + rng.range(1, 3) : id.startHour + rng.normal() * 0.3;
  const length = weekend ? rng.range(2, 4) : id.dayLength + rng.normal() * 0.4;
  const second = find('second-address');
  const secondFrom = localToUtc(id.tz, day, start + length * rng.range(0.45, 0.7));
  const at = (frac: number) => localToUtc(id.tz, day, start + frac * length);
  const tagOf = (e: PlannedEpisode | undefined) => e?.id;
  const dayTag = tagOf(weekend) ?? tagOf(heavy);

  for (const cloud of Object.keys(id.clouds) as Cloud[]) {
    const u = id.clouds[cloud]!;
    const usual = usualFor(ctx, id, cloud, day);
    const totals = { reads: rng.count(u.reads * factor), lists: rng.count(u.lists * factor), writes: rng.count(u.writes * factor), deletes: rng.count(u.deletes * factor * 0.5) };
    const sessions = Math.max(1, Math.round(rng.range(2, 6) * Math.min(1, factor)));
    const weights = Array.from({ length: sessions }, () => rng.range(0.3, 1.7));
    const wsum = weights.reduce((s, w) => s + w, 0);
    for (let k = 0; k < sessions; k++) {
      const share = weights[k]! / wsum;
      const t0 = at(rng.next() * 0.92);
      const client = rng.chance(0.7) ? u.clients[0]! : rng.pick(u.clients);
      const fromSecond = second && t0 >= secondFrom;
      runSession(out, {
        identity: id.key, cloud, bucket: rng.weighted(u.buckets), t0, day,
        ip: fromSecond ? second.ip! : usual.ip, ua: userAgent(client, id.os, day >= u.upgradeDay, rng), gap: clientGap(client),
        reads: Math.round(totals.reads * share), lists: Math.round(totals.lists * share), writes: Math.round(totals.writes * share), deletes: Math.round(totals.deletes * share),
        ...(usual.session ? { session: usual.session } : {}), ...(fromSecond ? { tag: second.id } : dayTag ? { tag: dayTag } : {}),
      }, rng);
    }
    if (id.team === 'platform' && cloud === 'aws' && !weekend) routineSecrets(out, id, day, usual, rng, at);
  }
  for (const e of episodes) {
    const cloud = e.clouds[0]!;
    const u = id.clouds[cloud];
    if (!u) continue;
    const usual = usualFor(ctx, id, cloud, day);
    if (e.kind === 'tidy-deletes') {
      const bucket = rng.weighted(u.buckets);
      runSession(out, { identity: id.key, cloud, bucket, t0: at(rng.range(0.2, 0.8)), day, ip: usual.ip, ua: usual.ua(rng), gap: 3, lists: 2, deletes: rng.int(40, 150), deleteFolder: `tmp/${id.display}/old-exports/`, tag: e.id, ...(usual.session ? { session: usual.session } : {}) }, rng);
    } else if (e.kind === 'teammate-bucket') {
      const mates = [...ctx.identities.values()].filter((m) => m.team === 'data-eng' && m.key !== id.key);
      if (!mates.length) continue;
      const mate = rng.pick(mates).display.replace('.', '-');
      const bucket = personalBucket(cloud === 'aws' ? 'aws' : 'gcp', mate);
      runSession(out, { identity: id.key, cloud, bucket, t0: at(rng.range(0.2, 0.8)), day, ip: usual.ip, ua: usual.ua(rng), gap: 2, lists: 3, reads: rng.int(10, 40), tag: e.id, ...(usual.session ? { session: usual.session } : {}) }, rng);
    }
  }
  return out;
}

/** The platform team's routine reads of dated Terraform state backups and deploy config (names that look secret). */
function routineSecrets(out: Call[], id: Identity, day: number, usual: Usual, rng: Rng, at: (f: number) => number): void {
  const date = new Date(Date.UTC(2026, 9, 12 + day - 1)).toISOString().slice(0, 10);
  const tf = TF_STACKS.filter(() => rng.chance(0.5)).map((s) => `${date}/${s}/terraform.tfstate`);
  const tag = `quiet-routine-secret-names-${id.key}`;
  const common = { identity: id.key, cloud: 'aws' as const, day, ip: usual.ip, ua: usual.ua(rng), gap: 2, tag, ...(usual.session ? { session: usual.session } : {}) };
  if (tf.length) runSession(out, { ...common, bucket: BUCKETS.tfstate, t0: at(rng.range(0.05, 0.5)), lists: 1, reads: tf.length, keys: tf }, rng);
  runSession(out, { ...common, bucket: BUCKETS.deploy, t0: at(rng.range(0.1, 0.9)), reads: rng.int(1, 3), keys: rng.shuffle(ROUTINE_SECRET_KEYS) }, rng);
}
