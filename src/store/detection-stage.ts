import type { PeerContribution } from '../detection/peer-index.js';
import type { DetectionToRecord } from './record-findings.js';
import { groupName, groupPartition, inPartition, partitionParams, type IdentityPartition } from './identity-partition.js';
import type { Sql } from './sql.js';

/** A detection of a partition, with where it stands in a single run's order (hour, identity, then as judged). */
export interface StagedDetection extends DetectionToRecord {
  hour: number;
  seq: number;
}

/** What the partitions of a run staged for one day (or days a crashed run left behind). */
export interface StagedDay {
  detections: StagedDetection[];
  contributions: PeerContribution[];
}

/** A day later than any log: takeStaged(sql, LAST_DAY) takes everything. */
export const LAST_DAY = Date.UTC(9999, 0, 1);

/** Raised when the pending rows a partition read were consumed by another worker meanwhile. */
export class AlreadyJudged extends Error {}

/** Whether any partition left detections staged (a partitioned run that stopped before recording them). */
export async function anyStaged(sql: Sql): Promise<boolean> {
  return (await sql.query('select 1 from detection_staged limit 1')).length > 0;
}

/** Pending identity-hours of each non-empty partition of [from, to), with the peer groups placed as given. */
export async function pendingByPartition(sql: Sql, from: number, to: number, of: number, groups: Record<string, number> = {}): Promise<Map<number, number>> {
  const rows = await sql.query<{ part: number; n: string }>(
    `select ${groupPartition('i', 3)} as part, count(*) as n
     from rollups_pending p join identities i on i.key = p.identity_key where p.hour >= $1 and p.hour < $2 group by 1 order by 1`,
    [new Date(from), new Date(to), of, JSON.stringify(groups)],
  );
  return new Map(rows.map((r) => [Number(r.part), Number(r.n)]));
}

/** Pending identity-hours of each peer group, for placing the groups on partitions. */
export async function pendingByGroup(sql: Sql): Promise<Map<string, number>> {
  const rows = await sql.query<{ g: string; n: string }>(
    `select ${groupName('i')} as g, count(*) as n from rollups_pending p join identities i on i.key = p.identity_key group by 1`,
  );
  return new Map(rows.map((r) => [r.g, Number(r.n)]));
}

/**
 * Locks the pending rows of a partition's day and checks that every identity-hour the partition read
 * is still there: a second worker running the same partition (a stalled job that was not dead) waits
 * here, then finds them gone and throws AlreadyJudged, so its transaction stores nothing.
 */
export async function claimPending(sql: Sql, read: readonly { identity: string; hour: number }[], from: number, to: number, part: IdentityPartition): Promise<void> {
  const rows = await sql.query<{ identity_key: string; hour: Date }>(
    `select identity_key, hour from rollups_pending where hour >= $1 and hour < $2 and ${inPartition('identity_key', 3)} for update`,
    [new Date(from), new Date(to), ...partitionParams(part)],
  );
  const present = new Set(rows.map((r) => `${r.identity_key}\u0000${r.hour.getTime()}`));
  const gone = read.filter((r) => !present.has(`${r.identity}\u0000${r.hour}`)).length;
  if (gone) throw new AlreadyJudged(`${gone} of ${read.length} identity-hours of partition ${part.index}/${part.of} were judged by another worker`);
}

/** Stages a partition's detections and peer contributions of one day; call it in the transaction that consumes its pending rows. */
export async function stageDay(sql: Sql, day: number, staged: StagedDay): Promise<void> {
  if (!staged.detections.length && !staged.contributions.length) return;
  await sql.query('insert into detection_staged (day, detections, contributions) values ($1, $2::json, $3::json)', [
    new Date(day), JSON.stringify(staged.detections), JSON.stringify(staged.contributions),
  ]);
}

/** What was staged for days up to `day` inclusive, read but left in place (see recordStaged). */
export interface StagedRead extends StagedDay {
  ids: string[];
}

/**
 * Reads what was staged for days up to `day` inclusive: detections in a single run's order and
 * contributions by identity, so any split of the identities records the same findings.
 */
export async function readStaged(sql: Sql, day: number): Promise<StagedRead> {
  const rows = await sql.query<{ id: string; day: Date; detections: StagedDetection[]; contributions: PeerContribution[] }>(
    'select id, day, detections, contributions from detection_staged where day <= $1',
    [new Date(Math.min(day, LAST_DAY))],
  );
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  // Days in order first, so that an identity's later contribution (left by a crashed run) is applied last.
  rows.sort((a, b) => a.day.getTime() - b.day.getTime() || Number(a.id) - Number(b.id));
  const detections = rows.flatMap((r) => r.detections).sort((a, b) => a.hour - b.hour || cmp(a.identity.key, b.identity.key) || a.seq - b.seq);
  const contributions = rows.flatMap((r) => r.contributions).sort((a, b) => cmp(a.identity, b.identity));
  return { ids: rows.map((r) => String(r.id)), detections, contributions };
}

/** Drops staged rows once recorded; call it in the transaction that records their findings. */
export async function dropStaged(sql: Sql, ids: readonly string[]): Promise<void> {
  if (ids.length) await sql.query('delete from detection_staged where id = any($1::bigint[])', [ids]);
}
