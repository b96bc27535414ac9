import type { BlockAction, SlashCommand, ViewOutput } from '@slack/bolt';
import { parseCommand, type ParsedCommand } from '../commands.js';
import { EXPIRIES, type BenignScope, type ChatAction, type Expiry } from '../handle-action.js';
import { ACTION_IDS, VIEW_IDS, type FormMetadata } from './render.js';

/** The platform reference of a Slack user, as stored in decisions, suppressions and the audit trail. */
export function slackActor(userId: string): string {
  return `slack:${userId}`;
}

/** A button click on a card, with what Slack needs to answer it. */
export interface ParsedClick {
  action: ChatAction;
  userId: string;
  triggerId?: string;
  /** Where the clicked card is (for ephemeral replies and threads; never for authorisation). */
  channel?: string;
  messageTs?: string;
}

const BY_ACTION_ID = new Map(Object.entries(ACTION_IDS).map(([k, v]) => [v as string, k as ChatAction['action']]));

/** A block_actions payload as a neutral action: the finding id from the button value, the actor from Slack's user id. */
export function parseClick(body: BlockAction): ParsedClick | undefined {
  const first = body.actions[0];
  if (!first) return undefined;
  const action = BY_ACTION_ID.get(first.action_id);
  const findingId = 'value' in first && typeof first.value === 'string' ? first.value : undefined;
  if (!action || !findingId || !/^[A-Za-z0-9_-]{1,64}$/.test(findingId)) return undefined;
  // Bolt types `container` loosely; for a message it holds the channel and message ts.
  const container = body.container as { channel_id?: string; message_ts?: string } | undefined;
  // Slack gives every click its own trigger id (and action_ts); a retry or a replay of the same click repeats them.
  const delivery = body.trigger_id || ('action_ts' in first ? `${first.action_ts}:${body.user.id}` : undefined);
  return {
    action: { findingId, action, actor: slackActor(body.user.id), ...(delivery ? { deliveryKey: `slack:${delivery}` } : {}) },
    userId: body.user.id,
    triggerId: body.trigger_id,
    channel: container?.channel_id ?? body.channel?.id,
    messageTs: container?.message_ts ?? body.message?.ts,
  };
}

/** The metadata a decision modal carries; undefined when it is not ours. */
export function parseFormMetadata(text: string): FormMetadata | undefined {
  try {
    const m = JSON.parse(text) as Partial<FormMetadata>;
    if (typeof m.findingId !== 'string') return undefined;
    return { findingId: m.findingId, channel: typeof m.channel === 'string' ? m.channel : undefined, ts: typeof m.ts === 'string' ? m.ts : undefined };
  } catch {
    return undefined;
  }
}

/** A submitted benign or escalate modal as a neutral action, or the field errors to show in the modal. */
export function parseSubmission(view: ViewOutput, userId: string, triggerId?: string): { action: ChatAction; meta: FormMetadata } | { errors: Record<string, string> } {
  const meta = parseFormMetadata(view.private_metadata);
  if (!meta) return { errors: { reason: 'This form is out of date; open it again from the alert.' } };
  const values = view.state.values;
  const reason = (values.reason?.value?.value ?? '').trim();
  if (!reason) return { errors: { reason: 'A reason is required.' } };
  // Each submission has its own trigger id, repeated by a retry or a replay of it.
  const key = triggerId ? { deliveryKey: `slack:${triggerId}` } : {};
  if (view.callback_id === VIEW_IDS.escalate) return { action: { findingId: meta.findingId, action: 'escalate', actor: slackActor(userId), reason, ...key }, meta };
  const scope = values.scope?.value?.selected_option?.value as BenignScope | undefined;
  const expiry = values.expiry?.value?.selected_option?.value as Expiry | undefined;
  if (!scope) return { errors: { scope: 'Choose what the decision covers.' } };
  if (!expiry || !EXPIRIES.some((e) => e.value === expiry)) return { errors: { expiry: 'Choose how long it lasts.' } };
  return { action: { findingId: meta.findingId, action: 'benign', actor: slackActor(userId), reason, scope, expiry, ...key }, meta };
}

/** A slash command payload: the parsed command or its usage error. */
export function parseSlash(body: Pick<SlashCommand, 'command' | 'text'>): ParsedCommand {
  return parseCommand(body.command, body.text ?? '');
}
