import { describe, expect, it } from 'vitest';
import { syntheticCloudTrailLines, syntheticCloudTrailRecords } from '../../src/demo/synthetic-cloudtrail.js';
import { cloudTrailNormalizer } from '../../src/sources/aws-cloudtrail/normalize.js';

describe('synthetic CloudTrail stream for benchmarks', () => {
  it('yields S3 data events the parser reads, in time order, the same for the same seed', () => {
    const records = [...syntheticCloudTrailRecords({ seed: 4, count: 2000 })];
    expect(records).toHaveLength(2000);
    expect(records).toEqual([...syntheticCloudTrailRecords({ seed: 4, count: 2000 })]);
    let last = 0;
    const principals = new Set<string>();
    for (const r of records) {
      const n = cloudTrailNormalizer.normalize(r);
      if (n.kind !== 'event') throw new Error(n.reason);
      expect(n.event.time).toBeGreaterThanOrEqual(last);
      last = n.event.time;
      principals.add(n.event.principal.id);
    }
    expect(principals.size).toBeGreaterThan(5);
  });

  it('writes NDJSON lines with fresh ids and increasing times even when the pool repeats', () => {
    const lines = [...syntheticCloudTrailLines({ seed: 4, count: 3000, poolSize: 100 })];
    const parsed = lines.map((l) => JSON.parse(l) as { eventID: string; eventTime: string });
    expect(new Set(parsed.map((p) => p.eventID)).size).toBe(3000);
    for (let i = 1; i < parsed.length; i++) expect(parsed[i]!.eventTime >= parsed[i - 1]!.eventTime).toBe(true);
    for (const line of lines.slice(0, 300)) expect(cloudTrailNormalizer.normalize(JSON.parse(line) as Record<string, unknown>).kind).toBe('event');
    expect(lines).toEqual([...syntheticCloudTrailLines({ seed: 4, count: 3000, poolSize: 100 })]);
  });
});
