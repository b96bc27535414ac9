import { identityKey } from '../../src/core/event.js';
import type { Evidence, Finding, FindingDraft } from '../../src/core/finding.js';
import type { Identity } from '../../src/core/identity.js';
import { hourOf } from '../../src/core/rollup.js';
import { recordFinding } from '../../src/store/record-findings.js';
import { saveRollups } from '../../src/store/rollups.js';
import type { Sql } from '../../src/store/sql.js';
import { accessEvent, rollupOf, storeIdentities } from '../helpers/store-fixtures.js';

export const HOUR = 3_600_000;

/** A person known by email in AWS account 111122223333. */
export function person(email: string, cloud: Identity['cloud'] = 'aws', account = '111122223333'): Identity {
  const principal = { id: email, name: email, type: 'user' as const };
  return { key: identityKey({ cloud, account, principal }), cloud, account, principal };
}

/** Evidence of a bulk download from a new address, overridable piece by piece. */
export function evidence(o: Partial<Evidence> = {}): Evidence {
  return {
    observed: { requests: 5200, bytesOut: 3 * 1024 ** 3, readObjects: 4800 }, expected: { requests: 120, bytesOut: 50 * 1024 ** 2, readObjects: 90 },
    baseline: { days: 21, learning: false, since: '2025-02-01T00:00:00.000Z' },
    firstSeen: { ips: ['203.0.113.50'], clients: ['rclone/v1.66.0'] },
    buckets: ['finance', 'hr-records'], sampleKeys: ['finance/reports/q1.xlsx', 'hr-records/salaries.csv'], ips: ['203.0.113.50'],
    clients: ['rclone/v1.66.0'], severityReason: '43× the usual hourly volume from an address never seen before',
    ...o,
  };
}

/** A finding draft of the last hour (ending at `end`). */
export function bulkDraft(end: number, o: Partial<FindingDraft> = {}): FindingDraft {
  return {
    detector: 'volume-exfiltration', severity: 'high', scope: 'ip:203.0.113.50', start: end - 40 * 60_000, end,
    title: 'Bulk download of 3.0 GB from a new address', summary: 'alice@corp.com read 4,800 objects (3.0 GB) from 203.0.113.50 in 40 minutes.',
    evidence: evidence(), ...o,
  };
}

/** Stores an identity with a few hours of reads before `end`, and a finding about it; returns the finding. */
export async function seedFinding(sql: Sql, who: Identity, end: number, draft: FindingDraft = bulkDraft(end)): Promise<Finding> {
  await storeIdentities(sql, [who], end - 3 * 86_400_000, end);
  const rollups = [3, 2, 1, 0].map((h) => {
    const t = hourOf(end) - h * HOUR + 60_000;
    return rollupOf(Array.from({ length: h === 0 ? 40 : 5 }, (_, i) => accessEvent(who, t + i * 1000, { key: `reports/r${i}.csv`, ip: h === 0 ? '203.0.113.50' : '198.51.100.10' })));
  });
  await saveRollups(sql, rollups);
  const { finding } = await recordFinding(sql, who, draft);
  return finding;
}

/** Waits until `check` returns something truthy (polling), or fails after `ms`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every string inside a JSON value, concatenated: what a person could end up reading. */
export function allText(value: unknown): string {
  return JSON.stringify(value);
}
