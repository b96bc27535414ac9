import type { webApi } from '@slack/bolt';
import type { Responders } from '../handle-action.js';

/**
 * Responders from configuration: listed Slack user ids, plus the members of listed user groups
 * (read with usergroups.users.list and cached for `ttlMs`, so a removal takes effect within that time).
 */
export function slackResponders(client: webApi.WebClient, ids: { users: string[]; groups: string[] }, ttlMs = 60_000, now: () => number = Date.now): Responders {
  const cache = new Map<string, { at: number; members: Set<string> }>();
  async function members(group: string): Promise<Set<string>> {
    const hit = cache.get(group);
    if (hit && now() - hit.at < ttlMs) return hit.members;
    const res = await client.usergroups.users.list({ usergroup: group });
    const fresh = new Set(res.users ?? []);
    cache.set(group, { at: now(), members: fresh });
    return fresh;
  }
  return {
    async isResponder(actor: string): Promise<boolean> {
      const userId = /^slack:([UW][A-Z0-9]+)$/.exec(actor)?.[1];
      if (!userId) return false;
      if (ids.users.includes(userId)) return true;
      for (const group of ids.groups) if ((await members(group)).has(userId)) return true;
      return false;
    },
  };
}

/** The email of a Slack user (users.info, scope users:read.email), or undefined when Slack does not say. */
export async function slackEmailOf(client: webApi.WebClient, userId: string): Promise<string | undefined> {
  const res = await client.users.info({ user: userId });
  return res.user?.profile?.email || undefined;
}
