import type { Sql } from './sql.js';

/** Where a digest was posted. */
export interface PostedDigest {
  channel: string;
  ts: string;
}

/** The digest of `day` already posted on a platform, if any. */
export async function postedDigest(sql: Sql, platform: string, day: string): Promise<PostedDigest | undefined> {
  const [row] = await sql.query<{ channel: string; ts: string }>('select channel, ts from digests where platform = $1 and day = $2', [platform, day]);
  return row && { channel: row.channel, ts: row.ts };
}

/** Records the digest of `day` posted on a platform (the first record of a day stands). */
export async function recordDigest(sql: Sql, platform: string, day: string, ref: PostedDigest): Promise<void> {
  await sql.query('insert into digests (platform, day, channel, ts) values ($1, $2, $3, $4) on conflict (platform, day) do nothing', [platform, day, ref.channel, ref.ts]);
}
