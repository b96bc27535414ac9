import { randomUUID } from 'node:crypto';

/** The tenant, team and bot the activities below come from and go to. */
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TEAM = '19:team0000000000000000000000000000@thread.tacv2';
/** The team's Microsoft 365 group id, which Graph addresses the team by. */
export const TEAM_GROUP = '5a1c3e4f-7d2b-4c8a-9e6f-0123456789ab';
export const BOT_ID = '28:0b7a9c3e-1111-4222-8333-944455556666';

/** A Teams user: the 29: id the Bot Connector uses, their Entra object id and display name. */
export interface TeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
}

function base(serviceUrl: string, conversationId: string, from: TeamsUser, channel?: string): Record<string, unknown> {
  return {
    channelId: 'msteams', serviceUrl, id: `f:${randomUUID()}`, timestamp: new Date().toISOString(), locale: 'en-US',
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: BOT_ID, name: 'storage-watch' },
    conversation: channel
      ? { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: TENANT }
      : { id: conversationId, conversationType: 'personal', tenantId: TENANT },
    channelData: channel ? { tenant: { id: TENANT }, team: { id: TEAM, aadGroupId: TEAM_GROUP }, channel: { id: channel } } : { tenant: { id: TENANT } },
  };
}

/** An Action.Execute click (invoke `adaptiveCard/action`) on a card in a channel thread, as Teams sends it. */
export function executeInvoke(o: { serviceUrl: string; channel: string; messageId: string; from: TeamsUser; verb: string; data: Record<string, unknown> }): Record<string, unknown> {
  return {
    ...base(o.serviceUrl, `${o.channel};messageid=${o.messageId}`, o.from, o.channel),
    type: 'invoke', name: 'adaptiveCard/action', replyToId: o.messageId,
    value: { action: { type: 'Action.Execute', verb: o.verb, data: o.data }, trigger: 'manual' },
  };
}

/** A channel message that @mentions the bot (and maybe others), or a personal-chat message when `channel` is omitted. */
export function messageActivity(o: { serviceUrl: string; from: TeamsUser; text: string; channel?: string; thread?: string; mentions?: TeamsUser[] }): Record<string, unknown> {
  const conversation = o.channel ? `${o.channel};messageid=${o.thread ?? '1700000000001'}` : `a:1personal-${o.from.aadObjectId}`;
  const botMention = o.channel ? [{ type: 'mention', text: '<at>storage-watch</at>', mentioned: { id: BOT_ID, name: 'storage-watch' } }] : [];
  return {
    ...base(o.serviceUrl, conversation, o.from, o.channel),
    type: 'message', textFormat: 'plain',
    text: o.channel ? `<at>storage-watch</at> ${o.text}` : o.text,
    entities: [...botMention, ...(o.mentions ?? []).map((m) => ({ type: 'mention', text: `<at>${m.name}</at>`, mentioned: { id: m.id, name: m.name } }))],
  };
}

/** POSTs an activity to the bot's /api/messages; returns the status and the parsed body. */
export async function sendActivity(endpoint: string, activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}
