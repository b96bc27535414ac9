import { identityKey, type AccessEvent, type ActionClass } from '../../src/core/event.js';
import type { Evidence, FindingDraft } from '../../src/core/finding.js';
import type { Identity } from '../../src/core/identity.js';
import { emptyRollup, foldEvent, hourOf, type Rollup } from '../../src/core/rollup.js';
import { upsertIdentities } from '../../src/store/identities.js';
import type { Sql } from '../../src/store/sql.js';

/** 2025-03-03T00:00:00Z, a Monday: the start of every hand-made timeline. */
export const T0 = Date.UTC(2025, 2, 3);
/** One hour and one day in milliseconds. */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** An AWS IAM user identity of account 111122223333. */
export function awsUser(name: string): Identity {
  const principal = { id: `arn:aws:iam::111122223333:user/${name}`, name, type: 'user' as const };
  return { key: identityKey({ cloud: 'aws', account: '111122223333', principal }), cloud: 'aws', account: '111122223333', principal };
}

/** Stores identities active over [first, last]. */
export async function storeIdentities(sql: Sql, identities: readonly Identity[], first = T0, last = T0 + DAY): Promise<void> {
  await upsertIdentities(sql, identities.map((i) => ({ ...i, first, last })));
}

let nextId = 0;

/** One access event of an identity; a successful 1 KB GetObject from 198.51.100.10 unless told otherwise. */
export function accessEvent(who: Identity, time: number, o: { key?: string; cls?: ActionClass; ip?: string; client?: string; bytesOut?: number } = {}): AccessEvent {
  return {
    id: `evt-${++nextId}`, cloud: who.cloud, account: who.account, principal: who.principal,
    action: { name: o.cls === 'list' ? 'ListObjects' : 'GetObject', class: o.cls ?? 'read' },
    resource: { bucket: 'finance', key: o.key ?? 'reports/q1.xlsx' },
    ip: o.ip ?? '198.51.100.10', client: o.client ?? 'aws-cli/2.15.0', bytesOut: o.bytesOut ?? 1024, bytesIn: 0,
    outcome: { status: 'success' }, time,
  };
}

/** The rollup of some events of one identity inside one hour. */
export function rollupOf(events: readonly AccessEvent[]): Rollup {
  const first = events[0]!;
  const r = emptyRollup(identityKey(first), hourOf(first.time));
  for (const e of events) foldEvent(r, e);
  return r;
}

function evidence(ips: string[]): Evidence {
  return {
    observed: { requests: 3 }, expected: { requests: 1 }, baseline: { days: 10, learning: false }, firstSeen: { ips },
    buckets: ['finance'], sampleKeys: ['finance/reports/q1.xlsx'], ips, clients: ['rclone/v1.66.0'], severityReason: 'test',
  };
}

/** A new-source-ip detection of 203.0.113.50 over [start, end]. */
export function draft(start: number, end: number, o: Partial<Pick<FindingDraft, 'severity' | 'scope' | 'detector' | 'title'>> = {}): FindingDraft {
  return {
    detector: o.detector ?? 'new-source-ip', severity: o.severity ?? 'medium', scope: o.scope ?? 'ip:203.0.113.50', start, end,
    title: o.title ?? 'New source IP 203.0.113.50', summary: 'made 3 requests from a new address', evidence: evidence(['203.0.113.50']),
  };
}
