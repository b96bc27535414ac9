import type { Cloud } from '../core/event.js';
import type { ActivityModel } from './activity.js';
import { INCIDENT_BUILDERS } from './incidents.js';
import type { Population } from './population.js';
import { SeededRandom } from './seeded-random.js';
import type { Identity, SynthEvent } from './synthetic-event.js';

/** Ids of the detectors the dataset's incidents are labelled for. */
export type DetectorId =
  | 'after-hours-bulk-download'
  | 'new-source-ip'
  | 'api-call-spike'
  | 'volume-exfiltration'
  | 'rapid-object-sweep'
  | 'enumeration-denied-burst'
  | 'mass-deletion'
  | 'unusual-client'
  | 'anonymous-access-burst'
  | 'secret-object-read'
  | 'first-bucket-access';

/** Every detector id, in catalogue order. */
export const DETECTOR_IDS: readonly DetectorId[] = [
  'after-hours-bulk-download',
  'new-source-ip',
  'api-call-spike',
  'volume-exfiltration',
  'rapid-object-sweep',
  'enumeration-denied-burst',
  'mass-deletion',
  'unusual-client',
  'anonymous-access-burst',
  'secret-object-read',
  'first-bucket-access',
];

/** Kinds of normal-but-suspicious-looking behaviour planted to catch naive rules. */
export type TrapKind = 'nightly-etl' | 'heavy-fridays' | 'vpn-rotation' | 'new-hire' | 'traveller';

/** One injected attack, with the identity and time window a detector should flag. */
export interface LabelledIncident {
  /** The detector that should fire. */
  kind: DetectorId;
  /** Provider. */
  cloud: Cloud;
  /** Account as the normalisers report it. */
  account: string;
  /** Principal id as the normalisers derive it. */
  principalId: string;
  /** First event of the incident, ISO 8601 UTC, rounded down to the second. */
  start: string;
  /** Just after the last event of the incident, ISO 8601 UTC, rounded up to the second. */
  end: string;
  /** What happened, with the numbers. */
  description: string;
  /** Other detectors that may rightly fire on the same events (not false alarms). */
  alsoMatches: DetectorId[];
}

/** An identity whose normal behaviour looks suspicious to a naive rule. */
export interface Trap {
  /** What kind of trap. */
  kind: TrapKind;
  /** Provider. */
  cloud: Cloud;
  /** Account as the normalisers report it. */
  account: string;
  /** Principal id as the normalisers derive it. */
  principalId: string;
  /** Why it looks suspicious and why it is normal. */
  description: string;
}

/** Injected incidents: their labels and the events that make them up. */
export interface ScenarioSet {
  /** Labels, sorted by start. */
  incidents: LabelledIncident[];
  /** Events of all incidents, sorted by time. */
  events: SynthEvent[];
}

/**
 * Builds every incident for the population, all inside the last four days before `endMs`;
 * an incident that would start before `startMs` (a very short dataset) is left out.
 */
export function buildIncidents(pop: Population, model: ActivityModel, endMs: number, startMs = -Infinity): ScenarioSet {
  const incidents: LabelledIncident[] = [];
  const events: SynthEvent[] = [];
  INCIDENT_BUILDERS.forEach((build, n) => {
    const rng = SeededRandom.from(pop.seed, 'incident', n);
    const { label, events: evs } = build({ pop, model, endMs, rng });
    evs.sort((a, b) => a.time - b.time);
    const first = evs[0];
    if (!first || first.time < startMs) return;
    const last = evs[evs.length - 1] as SynthEvent;
    incidents.push({
      kind: label.kind,
      cloud: first.actor.cloud,
      account: first.actor.account,
      principalId: first.actor.principalId,
      // Whole seconds, because CloudTrail event times have no fraction.
      start: new Date(Math.floor(first.time / 1000) * 1000).toISOString(),
      end: new Date(Math.ceil((last.time + 1) / 1000) * 1000).toISOString(),
      description: label.description,
      alsoMatches: label.alsoMatches ?? [],
    });
    events.push(...evs);
  });
  incidents.sort((a, b) => a.start.localeCompare(b.start));
  events.sort((a, b) => a.time - b.time);
  return { incidents, events };
}

function where(id: Identity): string {
  return id.buckets.map((b) => b.name).join(', ');
}

/** The traps present in the population, described for detector authors. */
export function describeTraps(pop: Population, model: ActivityModel): Trap[] {
  const traps: Trap[] = [];
  for (const id of pop.identities) {
    if (!id.trap) continue;
    let description: string;
    switch (id.trap) {
      case 'nightly-etl':
        description = `ETL role reads ~${id.ratePerHour} distinct parquet objects (~10 MB each) from ${id.buckets[0]?.name ?? ''} every night 02:00-02:55 UTC, from the same VPC addresses and client; normal for it`;
        break;
      case 'heavy-fridays':
        description = `finance user (${id.timeZone}) whose Fridays are 5-10x heavier than other weekdays (reads of ${where(id)}), every Friday of the dataset`;
        break;
      case 'vpn-rotation':
        description = `user behind a VPN whose address changes every day inside ${model.vpnBlock(id)}.0/24`;
        break;
      case 'new-hire':
        description = `new hire whose history starts 5 days before the end and ramps from 25% to full volume over 4 days (buckets ${where(id)})`;
        break;
      case 'traveller':
        description = `user working normal hours with normal volume from a new country's range (${model.travelIps(id).join(', ')}, a new /16) for the last 3 days`;
        break;
    }
    traps.push({ kind: id.trap, cloud: id.cloud, account: id.account, principalId: id.principalId, description });
  }
  return traps;
}
