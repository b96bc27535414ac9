import { historyDays, type Baseline, type SeenValue } from '../core/baseline.js';
import { ACTION_CLASSES, type ActionClass } from '../core/event.js';
import type { Finding } from '../core/finding.js';
import { emptyRollup, distinctObjects, hourOf, mergeRollups, OTHER, totalOps, type Rollup } from '../core/rollup.js';
import { sameHourOfWeek } from '../detection/baseline-stats.js';
import { isKnownAddress, knownClient } from '../detection/known-values.js';
import { getBaselines } from '../store/baselines.js';
import { listFindings } from '../store/findings.js';
import type { IdentityRecord } from '../store/identities.js';
import { resolvePrincipal } from './resolve-principal.js';
import { identityRollups } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';

const HOUR = 3_600_000;

/** A value seen in the window, how often, and whether the identity had never used it before the window. */
export interface SeenInWindow {
  value: string;
  count: number;
  isNew: boolean;
}

/** What one identity did in a time window, next to what is usual for it: the answer to `who`. */
export interface WhoReport {
  identity: IdentityRecord;
  from: number;
  to: number;
  ops: number;
  byClass: Partial<Record<ActionClass, number>>;
  /** Typical operations per class for the same hours of the week in earlier weeks (sum of medians). */
  expectedByClass: Partial<Record<ActionClass, number>>;
  bytesOut: number;
  bytesIn: number;
  denied: number;
  objects: number;
  actions: SeenInWindow[];
  buckets: SeenInWindow[];
  ips: SeenInWindow[];
  clients: SeenInWindow[];
  sampleKeys: string[];
  /** Operations per hour across the window, oldest first. */
  hourly: number[];
  baseline: { days: number; learning: boolean; firstSeen?: number };
  openFindings: Finding[];
}

function listed(counts: Record<string, number>, seen: ((value: string) => SeenValue | undefined) | undefined, from: number): SeenInWindow[] {
  return Object.entries(counts)
    .filter(([k]) => k !== OTHER)
    .sort((a, b) => b[1] - a[1])
    .map(([value, count]) => {
      const s = seen?.(value);
      return { value, count, isNew: seen !== undefined && (!s || s.first >= from) };
    });
}

/** Builds the report from the window's rollups and the identity's baseline (pure). */
export function buildWhoReport(
  identity: IdentityRecord, rollups: readonly Rollup[], baseline: Baseline, from: number, to: number, openFindings: Finding[], learningDays: number,
): WhoReport {
  const all = rollups.reduce((acc, r) => mergeRollups(acc, r), { ...emptyRollup(identity.key, hourOf(from)), first: Infinity, last: -Infinity });
  const firstHour = hourOf(from);
  const hourly: number[] = [];
  for (let h = firstHour; h < to; h += HOUR) hourly.push(totalOps(rollups.find((r) => r.hour === h) ?? { ops: {} }));
  const expectedByClass: Partial<Record<ActionClass, number>> = {};
  for (const c of ['read', 'list', 'write', 'delete'] as const) {
    let sum = 0;
    for (let h = firstHour; h < to; h += HOUR) sum += sameHourOfWeek(baseline, h, c).median;
    expectedByClass[c] = Math.round(sum);
  }
  const byClass: Partial<Record<ActionClass, number>> = {};
  for (const c of ACTION_CLASSES) if (all.ops[c]) byClass[c] = all.ops[c];
  const days = historyDays(baseline);
  return {
    identity, from, to, ops: totalOps(all), byClass, expectedByClass, bytesOut: all.bytesOut, bytesIn: all.bytesIn, denied: all.denied,
    objects: distinctObjects(all).objects,
    actions: listed(all.actions, undefined, from),
    buckets: listed(all.buckets, (k) => baseline.buckets[k], from),
    ips: listed(all.ips, (ip) => (isKnownAddress(baseline, ip) ? (baseline.ips[ip] ?? { first: 0, last: 0, count: 0 }) : undefined), from),
    clients: listed(all.clients, (c) => knownClient(baseline.clients, c), from),
    sampleKeys: all.sampleKeys,
    hourly,
    baseline: { days, learning: days < learningDays, firstSeen: baseline.firstSeen || undefined },
    openFindings,
  };
}

/** Resolves a principal (email, ARN, user name, UPN...) and reports each matching identity's activity in [from, to). */
export async function whoReports(sql: Sql, principal: string, from: number, to: number, learningDays: number): Promise<{ reports: WhoReport[]; candidates: IdentityRecord[] }> {
  const { chosen, candidates } = await resolvePrincipal(sql, principal);
  const baselines = await getBaselines(sql, chosen.map((c) => c.key));
  const reports: WhoReport[] = [];
  for (const identity of chosen) {
    const rollups = await identityRollups(sql, identity.key, hourOf(from), to);
    const findings = await listFindings(sql, { identity: identity.key, status: 'open' });
    reports.push(buildWhoReport(identity, rollups, baselines.get(identity.key)!, from, to, findings, learningDays));
  }
  return { reports, candidates };
}
