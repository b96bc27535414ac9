import { parseCommandLine, type ParsedCommand, type PrincipalRef } from '../commands.js';
import { EXPIRIES, type BenignScope, type ChatAction } from '../handle-action.js';
import { VERBS } from './render.js';

/** The parts of an inbound Teams activity that storage-watch reads. */
export interface InboundActivity {
  type?: string;
  name?: string;
  id?: string;
  text?: string;
  serviceUrl?: string;
  from?: { id?: string; name?: string; aadObjectId?: string };
  recipient?: { id?: string; name?: string };
  conversation?: { id?: string; conversationType?: string; tenantId?: string };
  channelData?: { tenant?: { id?: string }; team?: { id?: string; aadGroupId?: string }; channel?: { id?: string } };
  entities?: { type?: string; mentioned?: { id?: string; name?: string }; text?: string }[];
  value?: unknown;
}

/** The platform reference of a Teams user (their Entra object id), as stored in decisions and the audit trail. */
export function teamsActor(aadObjectId: string): string {
  return `teams:${aadObjectId.toLowerCase()}`;
}

/** What an Action.Execute invoke asks for. */
export type ParsedInvoke =
  | { kind: 'action'; action: ChatAction }
  | { kind: 'cancel'; findingId: string }
  | { kind: 'invalid'; findingId?: string; message: string };

const FINDING_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** An `adaptiveCard/action` invoke as a neutral action: the finding id from the button data, the actor from the sender's Entra object id. */
export function parseInvoke(a: InboundActivity): ParsedInvoke | undefined {
  if (a.type !== 'invoke' || a.name !== 'adaptiveCard/action') return undefined;
  const action = (a.value as { action?: { verb?: unknown; data?: Record<string, unknown> } } | undefined)?.action;
  const data = action?.data ?? {};
  const findingId = typeof data.findingId === 'string' && FINDING_ID.test(data.findingId) ? data.findingId : undefined;
  if (!findingId) return { kind: 'invalid', message: 'This card is not one of storage-watch\'s.' };
  const aad = a.from?.aadObjectId;
  if (!aad) return { kind: 'invalid', findingId, message: 'Teams did not say who you are; try again from the Teams client.' };
  const actor = teamsActor(aad);
  // The activity id names this delivery: a click Teams delivers twice is applied once.
  const key = a.id ? { deliveryKey: `teams:${a.id}` } : {};
  switch (action?.verb) {
    case VERBS.benign:
      return { kind: 'action', action: { findingId, action: 'benign', actor, ...key } };
    case VERBS.escalate:
      return { kind: 'action', action: { findingId, action: 'escalate', actor, ...key } };
    case VERBS.details:
      return { kind: 'action', action: { findingId, action: 'details', actor, ...key } };
    case VERBS.cancel:
      return { kind: 'cancel', findingId };
    case VERBS.confirmEscalate:
      return { kind: 'action', action: { findingId, action: 'escalate', actor, reason: typeof data.reason === 'string' ? data.reason : '', ...key } };
    case VERBS.confirmBenign: {
      const scope = typeof data.scope === 'string' ? (data.scope as BenignScope) : undefined;
      const expiry = EXPIRIES.find((e) => e.value === data.expiry)?.value;
      if (!expiry) return { kind: 'invalid', findingId, message: 'Choose how long the decision lasts.' };
      return { kind: 'action', action: { findingId, action: 'benign', actor, reason: typeof data.reason === 'string' ? data.reason : '', scope, expiry, ...key } };
    }
    default:
      return { kind: 'invalid', findingId, message: 'This button is not one storage-watch knows.' };
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'', nbsp: ' ' };

/** Message text as typed: Teams sends HTML (`<p>`, `&nbsp;`, `&lt;`) for channel messages. */
function plain(html: string): string {
  return html.replace(/<\/?(p|div|span|br)\b[^>]*>/gi, ' ').replace(/&(#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** A message to the bot as a command: the bot's own @mention removed, other people's @mentions kept as mentions to resolve. */
export function parseMessage(a: InboundActivity): { command: ParsedCommand; mentioned: boolean } {
  let text = a.text ?? '';
  let mentioned = false;
  const people: PrincipalRef[] = [];
  for (const e of a.entities ?? []) {
    if (e.type !== 'mention' || !e.text) continue;
    if (e.mentioned?.id && e.mentioned.id === a.recipient?.id) {
      mentioned = true;
      text = text.split(e.text).join(' ');
    } else if (e.mentioned?.id) {
      people.push({ kind: 'mention', userId: e.mentioned.id, label: e.mentioned.name });
      text = text.split(e.text).join(` @@mention${people.length - 1} `);
    }
  }
  const parsed = parseCommandLine(plain(text).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim());
  if (!parsed.ok) return { command: parsed, mentioned };
  const swap = (p: PrincipalRef): PrincipalRef => {
    const m = p.kind === 'text' ? /^@@mention(\d+)$/.exec(p.value) : null;
    return m ? people[Number(m[1])] ?? p : p;
  };
  const c = parsed.command;
  const command = c.name === 'who' || c.name === 'baseline' ? { ...c, principal: swap(c.principal) }
    : c.name === 'findings' && c.filter.kind === 'principal' ? { ...c, filter: { kind: 'principal' as const, principal: swap(c.filter.principal) } } : c;
  return { command: { ok: true, command }, mentioned };
}

/** The tenant an activity came from. */
export function tenantOf(a: InboundActivity): string | undefined {
  return a.channelData?.tenant?.id ?? a.conversation?.tenantId;
}
