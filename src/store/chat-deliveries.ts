import type { Sql } from './sql.js';

/** How long a delivery key is remembered: far beyond any platform's retries or request lifetime. */
const KEEP = '1 day';

/**
 * Claims a chat delivery (a click or a submitted form) by its platform-neutral key: true the first
 * time, false when the same delivery was claimed before (a replay or a platform retry).
 */
export async function claimDelivery(sql: Sql, key: string): Promise<boolean> {
  // One round trip: this runs before Slack's 3-second ack of a submitted form.
  const rows = await sql.query(
    `with pruned as (delete from chat_deliveries where at < now() - interval '${KEEP}' and key <> $1)
     insert into chat_deliveries (key) values ($1) on conflict (key) do nothing returning key`,
    [key],
  );
  return rows.length === 1;
}

/** Gives a claim back when handling the delivery failed, so that a retry of it can act. */
export async function releaseDelivery(sql: Sql, key: string): Promise<void> {
  await sql.query('delete from chat_deliveries where key = $1', [key]);
}
