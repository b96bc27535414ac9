import { TZDate } from '@date-fns/tz';
import { LOCATIONS } from './catalogue.js';
import { DATASETS, isoDate } from './object-keys.js';
import type { Population } from './population.js';
import { SeededRandom } from './seeded-random.js';
import type { BucketSpec, Identity, Op, SynthEvent } from './synthetic-event.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const OPS: readonly Op[] = ['read', 'write', 'list', 'delete'];
const WORLD_OCTETS = Object.values(LOCATIONS).flatMap((l) => l.octets);

/** Local calendar facts of an instant in a time zone. */
export interface LocalTime {
  /** Local hour, 0-23. */
  hour: number;
  /** Day of week, 0 = Sunday. */
  dow: number;
  /** Local day number (days since 1970-01-01 in that zone). */
  day: number;
}

/** Where and how a person works on one local day. */
export interface DayPlan {
  /** Whether they work at all that day. */
  active: boolean;
  /** Multiplier of their usual hourly rate. */
  mult: number;
  /** Source address for the day. */
  ip: string;
  /** Client for the day. */
  client: string;
}

/** Local time of an instant in a zone. */
export function localTime(ms: number, timeZone: string): LocalTime {
  const d = new TZDate(ms, timeZone);
  return { hour: d.getHours(), dow: d.getDay(), day: Math.floor((ms - d.getTimezoneOffset() * MINUTE) / DAY) };
}

/** Epoch ms of a local wall-clock time on the local day containing `ms`. */
export function atLocal(ms: number, timeZone: string, hour: number, minute: number): number {
  const d = new TZDate(ms, timeZone);
  return new TZDate(d.getFullYear(), d.getMonth(), d.getDate(), hour, minute, timeZone).getTime();
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Ordinary behaviour of every identity, hour by hour, including the traps' unusual-but-normal habits. */
export class ActivityModel {
  /** Derives every random choice from the population's seed. */
  constructor(private readonly pop: Population, private readonly endMs: number) {}

  /** Appends the identity's ordinary requests in the hour starting at `hourStart` to `out`. */
  hour(id: Identity, hourStart: number, rng: SeededRandom, out: SynthEvent[]): void {
    switch (id.rhythm) {
      case 'office':
        return this.officeHour(id, hourStart, rng, out);
      case 'steady': {
        const h = new Date(hourStart).getUTCHours();
        const n = rng.poisson(id.ratePerHour * (1 + 0.25 * Math.sin((2 * Math.PI * (h - 6)) / 24)));
        for (let i = 0; i < n; i++) out.push(this.event(id, hourStart + rng.int(0, HOUR - 1), rng.pick(id.ips), id.clients[0] ?? '', rng));
        return;
      }
      case 'hourly-batch': {
        const start = hourStart + ((id.index * 7) % 50) * MINUTE;
        const n = rng.poisson(id.ratePerHour);
        for (let i = 0; i < n; i++) out.push(this.event(id, start + rng.int(0, 3 * MINUTE), rng.pick(id.ips), id.clients[0] ?? '', rng));
        return;
      }
      case 'nightly-batch':
        if (new Date(hourStart).getUTCHours() !== id.workStart) return;
        if (id.trap === 'nightly-etl') return this.etlNight(id, hourStart, rng, out);
        return this.batch(id, hourStart + 5 * MINUTE, rng, out);
      case 'public':
        return this.publicHour(id, hourStart, rng, out);
    }
  }

  /** The day's working plan of a person (deterministic per identity and local day). */
  dayPlan(id: Identity, lt: LocalTime): DayPlan {
    const r = SeededRandom.from(this.pop.seed, 'day', id.index, lt.day);
    const weekend = lt.dow === 0 || lt.dow === 6;
    let active = weekend ? r.chance(id.weekendChance) : !r.chance(0.05);
    let mult = Math.exp(0.3 * r.gaussian());
    const atOffice = !weekend && r.chance(0.6);
    let ip = atOffice ? id.ips[0] : id.ips[2] !== undefined && r.chance(0.3) ? id.ips[2] : id.ips[1];
    const client = id.clients[1] !== undefined && r.chance(0.2) ? id.clients[1] : (id.clients[0] ?? '');
    switch (id.trap) {
      case 'heavy-fridays':
        if (lt.dow === 5) {
          active = true;
          mult *= r.int(5, 10);
        }
        break;
      case 'vpn-rotation':
        ip = `${this.vpnBlock(id)}.${r.int(10, 250)}`;
        break;
      case 'traveller':
        if (lt.day >= localTime(this.endMs - 3 * DAY, id.timeZone).day) ip = r.pick(this.travelIps(id));
        break;
      default:
        break;
    }
    return { active, mult, ip: ip ?? '', client };
  }

  /** The VPN pool (/24, without the last octet) the vpn-rotation trap's address rotates in. */
  vpnBlock(id: Identity): string {
    const r = SeededRandom.from(this.pop.seed, 'vpn', id.index);
    return `${r.pick([104, 146, 185, 193])}.${r.int(1, 254)}.${r.int(0, 255)}`;
  }

  /** The two addresses (one foreign /16) the traveller trap works from in the last three days. */
  travelIps(id: Identity): string[] {
    const r = SeededRandom.from(this.pop.seed, 'travel', id.index);
    const net = `${r.pick(LOCATIONS.berlin.octets)}.${r.int(1, 254)}`;
    return [`${net}.${r.int(0, 255)}.${r.int(2, 254)}`, `${net}.${r.int(0, 255)}.${r.int(2, 254)}`];
  }

  /** One ordinary request by an identity. */
  event(id: Identity, time: number, ip: string, client: string, rng: SeededRandom, op?: Op): SynthEvent {
    const kind = op ?? rng.weighted(OPS, [id.mix.read, id.mix.write, id.mix.list, id.mix.delete]);
    const bucket = id.buckets.length === 1 || rng.chance(0.6) ? (id.buckets[0] as BucketSpec) : rng.pick(id.buckets);
    let key: string | undefined;
    let bytes = 0;
    if (kind === 'read' || kind === 'delete') {
      key = id.role === 'ci-deploy' && kind === 'read' && rng.chance(0.3)
        ? 'terraform/prod/terraform.tfstate'
        : this.pop.keys.keyAt(bucket, Math.floor(id.workingSet * rng.next() ** 2));
      if (kind === 'read') bytes = this.pop.keys.sizeOf(bucket, key);
    } else if (kind === 'write') {
      key = this.pop.keys.freshKey(bucket, time, rng);
      bytes = this.pop.keys.freshSize(bucket, rng);
    } else {
      bytes = rng.int(1_200, 40_000);
    }
    const denied = rng.chance(id.deniedRate);
    return { time, actor: id, op: kind, bucket, key, bytes: denied ? 0 : bytes, ip, client, denied };
  }

  private officeHour(id: Identity, hourStart: number, rng: SeededRandom, out: SynthEvent[]): void {
    if (id.activeFrom !== undefined && hourStart < id.activeFrom) return;
    const lt = localTime(hourStart, id.timeZone);
    const plan = this.dayPlan(id, lt);
    if (!plan.active) return;
    const weekend = lt.dow === 0 || lt.dow === 6;
    let weight = 0;
    if (weekend) weight = lt.hour >= 10 && lt.hour < 14 ? 0.4 : 0;
    else if (lt.hour >= id.workStart && lt.hour < id.workEnd) weight = lt.hour === 12 ? 0.5 : 1;
    else if (lt.hour === id.workStart - 1 || lt.hour === id.workEnd) weight = 0.15;
    if (id.activeFrom !== undefined) weight *= [0.25, 0.5, 0.75][Math.floor((hourStart - id.activeFrom) / DAY)] ?? 1;
    const n = rng.poisson(id.ratePerHour * weight * plan.mult);
    for (let i = 0; i < n; i++) out.push(this.event(id, hourStart + rng.int(0, HOUR - 1), plan.ip, plan.client, rng));
  }

  private batch(id: Identity, start: number, rng: SeededRandom, out: SynthEvent[]): void {
    const n = Math.round(id.ratePerHour * (0.85 + 0.3 * rng.next()));
    const span = Math.max(5 * MINUTE, n * 1200);
    for (let i = 0; i < n; i++) out.push(this.event(id, start + rng.int(0, span), rng.pick(id.ips), id.clients[0] ?? '', rng));
  }

  private etlNight(id: Identity, hourStart: number, rng: SeededRandom, out: SynthEvent[]): void {
    const [raw, curated] = id.buckets as [BucketSpec, BucketSpec];
    const date = isoDate(hourStart - DAY);
    const n = Math.round(id.ratePerHour * (0.85 + 0.3 * rng.next()));
    const start = hourStart + rng.int(0, 4) * MINUTE;
    const span = (35 + rng.int(0, 15)) * MINUTE;
    const tag = rng.hex(8);
    const client = id.clients[0] ?? '';
    for (let i = 0; i < DATASETS.length; i++) {
      out.push({ time: start + i * 1000, actor: id, op: 'list', bucket: raw, bytes: rng.int(20_000, 90_000), ip: rng.pick(id.ips), client, denied: false });
    }
    for (let i = 0; i < n; i++) {
      const key = `data/${DATASETS[i % DATASETS.length] ?? ''}/dt=${date}/part-${pad(Math.floor(i / DATASETS.length), 5)}-${tag}-c000.snappy.parquet`;
      const time = start + 10_000 + Math.floor((i / n) * span) + rng.int(0, 2000);
      out.push({ time, actor: id, op: 'read', bucket: raw, key, bytes: this.pop.keys.sizeOf(raw, key), ip: rng.pick(id.ips), client, denied: false });
    }
    const outputs = Math.round(n / 40);
    for (let i = 0; i < outputs; i++) {
      const key = `data/${DATASETS[i % DATASETS.length] ?? ''}/dt=${date}/part-${pad(i, 5)}-${rng.hex(8)}-c000.snappy.parquet`;
      out.push({ time: start + span + 20_000 + i * 1500, actor: id, op: 'write', bucket: curated, key, bytes: this.pop.keys.freshSize(curated, rng) * 4, ip: rng.pick(id.ips), client, denied: false });
    }
  }

  private publicHour(id: Identity, hourStart: number, rng: SeededRandom, out: SynthEvent[]): void {
    const h = new Date(hourStart).getUTCHours();
    const n = rng.poisson(id.ratePerHour * (1 + 0.5 * Math.sin((2 * Math.PI * (h - 9)) / 24)));
    for (let i = 0; i < n; i++) {
      const ip = `${rng.pick(WORLD_OCTETS)}.${rng.int(1, 254)}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
      out.push(this.event(id, hourStart + rng.int(0, HOUR - 1), ip, rng.pick(id.clients), rng, 'read'));
    }
  }
}
