import type { Sql } from './sql.js';

/** The chat message that shows a finding on one platform. */
export interface MessageRecord {
  findingId: string;
  platform: string;
  channel: string;
  /** Platform id of the message; undefined while the first post is only an intent. */
  ts?: string;
  /** Thread the repeats go to (the message itself for a top-level card). */
  threadTs?: string;
  /** 'posting' = the post was intended but its success not recorded yet (it may or may not exist). */
  state: 'posting' | 'posted';
  /** Occurrences of the finding the message and its thread already show. */
  occurrences: number;
  /** When the pending intent (first post, or the repeat reply for intentOccurrences) was claimed. */
  intentAt?: number;
  intentOccurrences?: number;
  createdAt: number;
  updatedAt: number;
}

/** Which message a function is about. */
export interface MessageKey {
  findingId: string;
  platform: string;
}

/**
 * What a claim got: `new` = first intent, go ahead; `stale` = an earlier claim was never completed (a crash),
 * so look for its message before posting; `busy` = someone else holds a fresh claim; `none` = nothing to do.
 */
export type Claim = 'new' | 'stale' | 'busy' | 'none';

type Row = {
  finding_id: string; platform: string; channel: string; ts: string | null; thread_ts: string | null; state: 'posting' | 'posted';
  occurrences: number; intent_at: Date | null; intent_occurrences: number | null; created_at: Date; updated_at: Date;
};

function fromRow(r: Row): MessageRecord {
  return {
    findingId: r.finding_id, platform: r.platform, channel: r.channel, ts: r.ts ?? undefined, threadTs: r.thread_ts ?? undefined, state: r.state,
    occurrences: r.occurrences, intentAt: r.intent_at?.getTime(), intentOccurrences: r.intent_occurrences ?? undefined,
    createdAt: r.created_at.getTime(), updatedAt: r.updated_at.getTime(),
  };
}

/** The message of a finding on a platform, if any was ever intended. */
export async function getMessage(sql: Sql, key: MessageKey): Promise<MessageRecord | undefined> {
  const [row] = await sql.query<Row>('select * from messages where finding_id = $1 and platform = $2', [key.findingId, key.platform]);
  return row ? fromRow(row) : undefined;
}

/** Messages of several findings on a platform, by finding id. */
export async function getMessages(sql: Sql, platform: string, findingIds: readonly string[]): Promise<Map<string, MessageRecord>> {
  const rows = await sql.query<Row>('select * from messages where platform = $1 and finding_id = any($2)', [platform, findingIds]);
  return new Map(rows.map((r) => [r.finding_id, fromRow(r)]));
}

/** Claims are stamped to the millisecond, so that the JavaScript Date a claim returns names it exactly. */
const NOW_MS = "date_trunc('milliseconds', now())";

/**
 * Records the intent to post a finding's first message (before posting it). A claim older than
 * `staleMs`, or released, that was never completed is taken over and reported as `stale`. `busy`
 * comes with staleInMs: how long until the other worker's claim may be taken over.
 */
export async function claimPost(sql: Sql, key: MessageKey, channel: string, staleMs: number): Promise<{ claim: Claim; record: MessageRecord; staleInMs?: number }> {
  const [inserted] = await sql.query<Row>(
    `insert into messages (finding_id, platform, channel, state, intent_at) values ($1, $2, $3, 'posting', ${NOW_MS})
     on conflict (finding_id, platform) do nothing returning *`,
    [key.findingId, key.platform, channel],
  );
  if (inserted) return { claim: 'new', record: fromRow(inserted) };
  const [taken] = await sql.query<Row>(
    `update messages set intent_at = ${NOW_MS}, updated_at = now()
     where finding_id = $1 and platform = $2 and state = 'posting' and (intent_at is null or intent_at <= now() - make_interval(secs => $3)) returning *`,
    [key.findingId, key.platform, staleMs / 1000],
  );
  if (taken) return { claim: 'stale', record: fromRow(taken) };
  const [row] = await sql.query<Row & { stale_in_ms: number | string | null }>(
    `select *, extract(epoch from intent_at + make_interval(secs => $3) - now()) * 1000 as stale_in_ms from messages where finding_id = $1 and platform = $2`,
    [key.findingId, key.platform, staleMs / 1000],
  );
  const record = fromRow(row!);
  return record.state === 'posting' ? { claim: 'busy', record, staleInMs: Math.max(0, Math.ceil(Number(row!.stale_in_ms ?? 0))) } : { claim: 'none', record };
}

/**
 * Checks that a claim (named by the intentAt it was given) is still this worker's and stamps it
 * afresh, right before the platform call it guards; false when another worker took it over meanwhile.
 */
export async function renewClaim(sql: Sql, key: MessageKey, intentAt: number): Promise<number | undefined> {
  const [row] = await sql.query<{ intent_at: Date }>(
    `update messages set intent_at = ${NOW_MS}, updated_at = now() where finding_id = $1 and platform = $2 and intent_at = $3 returning intent_at`,
    [key.findingId, key.platform, new Date(intentAt)],
  );
  return row?.intent_at.getTime();
}

/**
 * Gives up a claim at once (the platform certainly did not act on the call it guarded), so the next
 * attempt need not wait for it to go stale. The message stays `posting` when it was a first post: the
 * next attempt still looks for an earlier card before posting.
 */
export async function releaseClaim(sql: Sql, key: MessageKey, intentAt: number): Promise<void> {
  await sql.query(
    `update messages set intent_at = null, intent_occurrences = case when state = 'posted' then null else intent_occurrences end, updated_at = now()
     where finding_id = $1 and platform = $2 and intent_at = $3`,
    [key.findingId, key.platform, new Date(intentAt)],
  );
}

/** Records that the first message exists (posted now, or found after a crash). */
export async function recordPosted(sql: Sql, key: MessageKey, ref: { channel: string; ts: string; threadTs?: string }, occurrences: number): Promise<MessageRecord> {
  const [row] = await sql.query<Row>(
    `update messages set state = 'posted', channel = $3, ts = $4, thread_ts = $5, occurrences = $6, intent_at = null, intent_occurrences = null, updated_at = now()
     where finding_id = $1 and platform = $2 returning *`,
    [key.findingId, key.platform, ref.channel, ref.ts, ref.threadTs ?? ref.ts, occurrences],
  );
  return fromRow(row!);
}

/**
 * Records the intent to announce a repeat (the finding reached `occurrences`) in the message's thread.
 * `stale` means an earlier intent for a repeat was never completed: its reply may exist already.
 * intentAt names the claim taken; staleInMs comes with `busy`.
 */
export async function claimRepeat(sql: Sql, key: MessageKey, occurrences: number, staleMs: number): Promise<{ claim: Claim; previous?: number; intentAt?: number; staleInMs?: number }> {
  const [row] = await sql.query<{ previous_at: Date | null; previous: number | null; intent_at: Date }>(
    `with old as (select intent_at, intent_occurrences from messages where finding_id = $1 and platform = $2 for update)
     update messages m set intent_at = ${NOW_MS}, intent_occurrences = $3, updated_at = now() from old
     where m.finding_id = $1 and m.platform = $2 and m.state = 'posted' and m.occurrences < $3
       and (old.intent_at is null or old.intent_at <= now() - make_interval(secs => $4))
     returning old.intent_at as previous_at, old.intent_occurrences as previous, m.intent_at`,
    [key.findingId, key.platform, occurrences, staleMs / 1000],
  );
  if (row) return row.previous_at ? { claim: 'stale', previous: row.previous ?? undefined, intentAt: row.intent_at.getTime() } : { claim: 'new', intentAt: row.intent_at.getTime() };
  const [now] = await sql.query<Row & { stale_in_ms: number | string | null }>(
    `select *, extract(epoch from intent_at + make_interval(secs => $3) - now()) * 1000 as stale_in_ms from messages where finding_id = $1 and platform = $2`,
    [key.findingId, key.platform, staleMs / 1000],
  );
  const record = now && fromRow(now);
  return record && record.state === 'posted' && record.occurrences < occurrences
    ? { claim: 'busy', staleInMs: Math.max(0, Math.ceil(Number(now.stale_in_ms ?? 0))) }
    : { claim: 'none' };
}

/** Records that the thread shows the finding up to `occurrences`, and releases the repeat intent. */
export async function recordRepeat(sql: Sql, key: MessageKey, occurrences: number): Promise<void> {
  await sql.query(
    `update messages set occurrences = greatest(occurrences, $3), intent_at = null, intent_occurrences = null, updated_at = now()
     where finding_id = $1 and platform = $2`,
    [key.findingId, key.platform, occurrences],
  );
}

/**
 * Open findings of at least one of `severities` that have no posted message on one of `platforms`
 * (never posted, or a post whose outcome was never recorded), oldest first, at most `limit`.
 */
export async function unnotifiedFindings(sql: Sql, platforms: readonly string[], severities: readonly string[], limit: number): Promise<string[]> {
  if (!platforms.length) return [];
  const rows = await sql.query<{ id: string }>(
    `select f.id from findings f
     where f.status = 'open' and f.severity = any($2)
       and exists (select 1 from unnest($1::text[]) p(name)
                   where not exists (select 1 from messages m where m.finding_id = f.id and m.platform = p.name and m.state = 'posted'))
     order by f.created_at, f.id limit $3`,
    [platforms, severities, limit],
  );
  return rows.map((r) => r.id);
}
