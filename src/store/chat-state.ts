import type { Sql } from './sql.js';

/** A value a chat platform remembered under a key (Teams: the service URL of a tenant), or undefined. */
export async function getChatState(sql: Sql, platform: string, key: string): Promise<string | undefined> {
  const [row] = await sql.query<{ value: string }>('select value from chat_state where platform = $1 and key = $2', [platform, key]);
  return row?.value;
}

/** Remembers a value for a chat platform under a key, replacing the previous one. */
export async function setChatState(sql: Sql, platform: string, key: string, value: string): Promise<void> {
  await sql.query(
    `insert into chat_state (platform, key, value) values ($1, $2, $3)
     on conflict (platform, key) do update set value = excluded.value, updated_at = now()`,
    [platform, key, value],
  );
}
