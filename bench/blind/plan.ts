import { DAY, dstChangeDay, isWeekend, localToUtc, START_MS } from './calendar.js';
import type { Cloud } from './model.js';
import { MOBILE, ipIn, residentialIp } from './organisation.js';
import type { Identity } from './organisation.js';
import { Rng } from './rng.js';

/** The incident kinds the blind evaluation plants. */
export const INCIDENT_KINDS = ['after-hours-bulk-download', 'exfil-new-address', 'slow-exfiltration', 'rapid-object-sweep', 'mass-deletion', 'enumeration-denied', 'list-spike', 'anonymous-private-read', 'secret-read'] as const;
/** One incident kind. */
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** A planned incident on one identity, cloud and day. */
export interface PlannedIncident {
  id: string;
  kind: IncidentKind;
  cloud: Cloud;
  identity: string;
  day: number;
}

/** A planned ordinary-life episode; `window` when its time is known up front, else from its tagged calls. */
export interface PlannedEpisode {
  id: string;
  kind: string;
  identity: string;
  clouds: Cloud[];
  day: number;
  factor?: number;
  ip?: string;
  window?: [number, number];
}

/** Everything planted in a dataset besides ordinary randomness. */
export interface Plan {
  incidents: PlannedIncident[];
  episodes: PlannedEpisode[];
  /** identity -> day -> episodes and incidents of that day. */
  byDay: Map<string, Map<number, { episodes: PlannedEpisode[]; incidents: PlannedIncident[] }>>;
  addressChanges: Map<string, { day: number; ip: string }>;
}

/** True when a person takes the day off (leave, sickness); the same answer everywhere for a seed. */
export function isOffDay(seed: number, identity: string, day: number): boolean {
  return new Rng(seed, identity, day, 'off').chance(0.04);
}

/** True when a human works on that day in the ordinary way (weekday, employed, not off). */
export function worksOn(seed: number, id: Identity, day: number): boolean {
  return id.kind === 'human' && !isWeekend(day) && day >= id.firstDay && day <= id.lastDay && !isOffDay(seed, id.key, day);
}

function workWindow(id: Identity, day: number): [number, number] {
  return [localToUtc(id.tz, day, id.startHour - 1), localToUtc(id.tz, day, id.startHour + id.dayLength + 1)];
}

/** Plans joiners, leavers, episodes and incidents; sets first/last days on the identities it picks. */
export function makePlan(seed: number, identities: Identity[], days: number): Plan {
  const rng = new Rng(seed, 'plan');
  const humans = identities.filter((i) => i.kind === 'human');
  const episodes: PlannedEpisode[] = [];
  const busy = new Map<string, Set<number>>();
  const mark = (key: string, day: number) => {
    const s = busy.get(key) ?? new Set<number>();
    s.add(day);
    busy.set(key, s);
  };
  const clouds = (i: Identity) => Object.keys(i.clouds) as Cloud[];
  const add = (e: Omit<PlannedEpisode, 'id'>) => {
    episodes.push({ ...e, id: `quiet-${episodes.length + 1}-${e.kind}` });
    mark(e.identity, e.day);
  };
  const shuffled = rng.shuffle(humans);
  const take = (n: number, filter: (i: Identity) => boolean = () => true) => {
    const out: Identity[] = [];
    for (let k = shuffled.length - 1; k >= 0 && out.length < n; k--) {
      if (filter(shuffled[k]!)) out.push(...shuffled.splice(k, 1));
    }
    return out;
  };
  const scale = (share: number) => Math.max(1, Math.round(humans.length * share));
  const addressChanges = new Map<string, { day: number; ip: string }>();

  if (days >= 10) {
    for (const j of take(scale(0.03))) {
      j.firstDay = rng.int(4, Math.floor(days / 2));
      add({ kind: 'joiner', identity: j.key, clouds: clouds(j), day: j.firstDay, window: [START_MS + j.firstDay * DAY, START_MS + (j.firstDay + 7) * DAY] });
    }
    for (const l of take(scale(0.03))) {
      l.lastDay = rng.int(Math.floor(days / 2), days - 3);
      add({ kind: 'leaver', identity: l.key, clouds: clouds(l), day: l.lastDay, window: [START_MS + (l.lastDay - 1) * DAY, START_MS + (l.lastDay + 1) * DAY] });
    }
  }
  for (const p of take(scale(0.05))) {
    const day = rng.int(Math.min(5, days - 1), Math.max(0, days - 5));
    const sameSlash16 = rng.chance(0.8);
    const ip = residentialIp(p.tz, rng, sameSlash16 ? p.homeIp.split('.').slice(0, 2).join('.') : undefined);
    addressChanges.set(p.key, { day, ip });
    add({ kind: 'address-change', identity: p.key, clouds: clouds(p), day, ip, window: [START_MS + day * DAY, START_MS + (day + 4) * DAY] });
  }
  // The remaining people may have several episodes each.
  const pool = [...shuffled];
  for (const p of pool.filter(() => rng.chance(0.1))) {
    const ip = rng.chance(0.5) ? ipIn(rng.pick(MOBILE[p.tz]!), rng) : residentialIp(p.tz, rng);
    for (let n = rng.int(2, 4); n > 0; n--) {
      const day = rng.int(0, days - 1);
      if (worksOn(seed, p, day)) add({ kind: 'second-address', identity: p.key, clouds: clouds(p), day, ip });
    }
  }
  for (const p of pool.filter(() => rng.chance(0.15))) {
    const weekends = Array.from({ length: days }, (_, d) => d).filter(isWeekend);
    if (weekends.length) add({ kind: 'weekend-work', identity: p.key, clouds: clouds(p), day: rng.pick(weekends) });
  }
  for (const p of pool.filter(() => rng.chance(0.07))) {
    const day = rng.int(0, days - 1);
    if (worksOn(seed, p, day)) add({ kind: 'tidy-deletes', identity: p.key, clouds: [rng.pick(clouds(p))], day });
  }
  for (const p of pool.filter((i) => i.team === 'data-eng' && rng.chance(0.3))) {
    const day = rng.int(1, days - 1);
    if (worksOn(seed, p, day)) add({ kind: 'teammate-bucket', identity: p.key, clouds: [rng.pick(clouds(p))], day });
  }
  const heavy = (p: Identity, day: number, factor: number) => {
    if (day < days && worksOn(seed, p, day)) add({ kind: 'heavy-day', identity: p.key, clouds: clouds(p), day, factor, window: workWindow(p, day) });
  };
  for (const p of humans.filter((i) => i.team === 'finance')) [18, 21].forEach((d) => heavy(p, d, rng.range(2.2, 2.8)));
  for (const p of pool.filter((i) => i.team === 'analysts').slice(0, 2)) heavy(p, rng.int(3, days - 1), 3);
  for (const p of pool.filter((i) => i.team === 'data-eng').slice(0, 1)) heavy(p, rng.int(3, days - 1), rng.range(2, 3));
  for (const p of humans) {
    const change = dstChangeDay(p.tz, days);
    if (change === undefined) continue;
    let d = change;
    while (d < days && !worksOn(seed, p, d)) d++;
    if (d < days) episodes.push({ id: `quiet-dst-${p.key}`, kind: 'dst-change', identity: p.key, clouds: clouds(p), day: d, window: workWindow(p, d) });
  }

  const incidents = planIncidents(seed, rng, identities, days, busy);
  const byDay: Plan['byDay'] = new Map();
  const slot = (key: string, day: number) => {
    type Slot = { episodes: PlannedEpisode[]; incidents: PlannedIncident[] };
    const m = byDay.get(key) ?? new Map<number, Slot>();
    byDay.set(key, m);
    const s: Slot = m.get(day) ?? { episodes: [], incidents: [] };
    m.set(day, s);
    return s;
  };
  for (const e of episodes) slot(e.identity, e.day).episodes.push(e);
  for (const i of incidents) slot(i.identity, i.day).incidents.push(i);
  return { incidents, episodes, byDay, addressChanges };
}

function planIncidents(seed: number, rng: Rng, identities: Identity[], days: number, busy: Map<string, Set<number>>): PlannedIncident[] {
  if (days < 14) return [];
  const out: PlannedIncident[] = [];
  const victims = new Set<string>();
  for (const kind of INCIDENT_KINDS) {
    for (const cloud of ['aws', 'gcp', 'azure'] as Cloud[]) {
      if (kind === 'anonymous-private-read') {
        if (cloud === 'gcp') continue; // Cloud Storage data access logs do not record allUsers requests.
        out.push({ id: `inc-${out.length + 1}-${kind}-${cloud}`, kind, cloud, identity: 'public-anonymous', day: rng.int(10, days - 2) });
        continue;
      }
      // Secret reads need someone who never reads secret-looking names (not the platform team).
      const candidates = identities.filter((i) => i.kind === 'human' && i.clouds[cloud] && !victims.has(i.key) && i.firstDay === 0 && i.lastDay > days && !(kind === 'secret-read' && i.team === 'platform'));
      for (let attempt = 0; attempt < 200 && candidates.length; attempt++) {
        const who = rng.pick(candidates);
        const day = rng.int(10, days - 2);
        if (!worksOn(seed, who, day) || busy.get(who.key)?.has(day)) continue;
        victims.add(who.key);
        out.push({ id: `inc-${out.length + 1}-${kind}-${cloud}`, kind, cloud, identity: who.key, day });
        break;
      }
    }
  }
  return out;
}
