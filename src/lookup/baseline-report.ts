import { historyDays, type Baseline, type SeenValue } from '../core/baseline.js';
import type { Identity } from '../core/identity.js';
import { distinctObjects, mergeRollups, OTHER, totalOps, type Rollup } from '../core/rollup.js';
import { isKnownAddress, knownClient } from '../detection/known-values.js';
import { activeHours, dailyTotals, hourOfDayShare, type Expectation } from '../detection/baseline-stats.js';
import { hoursFor, type BusinessHours, type DetectionSettings } from '../detection/detection-settings.js';
import { getBaselines } from '../store/baselines.js';
import type { IdentityRecord } from '../store/identities.js';
import { resolvePrincipal } from './resolve-principal.js';
import { identityRollups } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';

/** A learnt value with when it was first and last seen. */
export type KnownValue = SeenValue & { value: string };

/** What normal looks like for one identity, and how the last 24 hours compare: the answer to `baseline`. */
export interface BaselineReport {
  identity: Identity;
  days: number;
  learning: boolean;
  firstSeen?: number;
  lastSeen?: number;
  /** UTC hours of the day the identity is active on at least a quarter of its active days. */
  usualHoursUtc: number[];
  businessHours: BusinessHours;
  /** Per active day: operations, bytes out, distinct objects read. */
  day: { ops: Expectation; bytesOut: Expectation; readObjects: Expectation };
  /** Per active hour. */
  hour: { ops: Expectation; bytesOut: Expectation };
  ips: KnownValue[];
  networks: number;
  clients: KnownValue[];
  buckets: KnownValue[];
  /** The 24 hours up to `until`, and values first seen in them. */
  last24h: { ops: number; bytesOut: number; readObjects: number; newIps: string[]; newClients: string[]; newBuckets: string[] };
}

function known(map: Record<string, SeenValue>, n: number): KnownValue[] {
  return Object.entries(map).map(([value, s]) => ({ value, ...s })).sort((a, b) => b.last - a.last || b.count - a.count).slice(0, n);
}

/** Builds the report (pure). */
export function buildBaselineReport(identity: Identity, b: Baseline, last24h: readonly Rollup[], settings: DetectionSettings, until: number): BaselineReport {
  const days = historyDays(b);
  const share = hourOfDayShare(b);
  const merged = last24h.length ? last24h.reduce((a, r) => mergeRollups(a, r)) : undefined;
  const since = until - 86_400_000;
  const isNew = (s: SeenValue | undefined | false): boolean => !s || s.first >= since;
  const fresh = (seen: Record<string, number> | undefined, lookup: (v: string) => SeenValue | undefined | false): string[] =>
    Object.keys(seen ?? {}).filter((v) => v !== OTHER && isNew(lookup(v)));
  return {
    identity, days, learning: days < settings.learningDays,
    firstSeen: b.firstSeen || undefined, lastSeen: b.lastSeen || undefined,
    usualHoursUtc: share.flatMap((s, h) => (s >= 0.25 ? [h] : [])),
    businessHours: hoursFor(settings, identity),
    day: { ops: dailyTotals(b, 'ops', true), bytesOut: dailyTotals(b, 'bytesOut', true), readObjects: dailyTotals(b, 'readObjects', true) },
    hour: { ops: activeHours(b, 'ops'), bytesOut: activeHours(b, 'bytesOut') },
    ips: known(b.ips, 10), networks: Object.keys(b.networks).length, clients: known(b.clients, 8), buckets: known(b.buckets, 10),
    last24h: {
      ops: merged ? totalOps(merged) : 0, bytesOut: merged?.bytesOut ?? 0, readObjects: merged ? distinctObjects(merged).readObjects : 0,
      newIps: fresh(merged?.ips, (ip) => isKnownAddress(b, ip) && (b.ips[ip] ?? { first: 0, last: 0, count: 0 })),
      newClients: fresh(merged?.clients, (c) => knownClient(b.clients, c)), newBuckets: fresh(merged?.buckets, (k) => b.buckets[k]),
    },
  };
}

/** Resolves a principal and reports the baseline of each matching identity. */
export async function baselineReports(sql: Sql, principal: string, settings: DetectionSettings, until: number): Promise<{ reports: BaselineReport[]; candidates: IdentityRecord[] }> {
  const { chosen, candidates } = await resolvePrincipal(sql, principal);
  const baselines = await getBaselines(sql, chosen.map((c) => c.key));
  const reports: BaselineReport[] = [];
  for (const identity of chosen) {
    const rollups = await identityRollups(sql, identity.key, until - 86_400_000, until);
    reports.push(buildBaselineReport(identity, baselines.get(identity.key)!, rollups, settings, until));
  }
  return { reports, candidates };
}
