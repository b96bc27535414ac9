import type { Detector } from '../../src/detection/detector.js';
import type { Sql } from '../../src/store/sql.js';

const HOUR = 3_600_000;

/** A detector that finds nothing and notes every identity-hour it is asked to judge. */
export function witness(seen: string[]): Detector {
  return { id: 'witness', description: 'notes what is judged', detect: (ctx) => (seen.push(`${ctx.identity.key} ${ctx.rollup.hour}`), []) };
}

/** A detector that reports every identity active in the noon hour (UTC): a storm across identities, every day. */
export const NOON_STORM: Detector = {
  id: 'noon-storm',
  description: 'reports every identity at work at noon',
  detect: ({ rollup }) => (rollup.hour % (24 * HOUR) !== 12 * HOUR ? [] : [{
    detector: 'noon-storm', severity: 'medium', scope: `hour:${rollup.hour}`, start: rollup.hour, end: rollup.hour + HOUR,
    title: 'At work at noon', summary: 'A test detector.',
    evidence: { observed: {}, expected: {}, baseline: { days: 0, learning: false }, firstSeen: {}, buckets: [], sampleKeys: [], ips: [], clients: [], severityReason: 'test' },
  }]),
};

/**
 * Names every identity by its key. A role's display name is its latest session name, which depends on
 * the order files were read in (worker threads); runs compared finding for finding need the same names.
 */
export async function fixNames(sql: Sql): Promise<void> {
  await sql.query('update identities set display_name = key');
}
