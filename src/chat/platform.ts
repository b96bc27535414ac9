import type { RequestListener } from 'node:http';
import type { Card } from '../core/card.js';
import type { LookupRequest } from './answer-lookup.js';
import type { ActionOutcome, ChatAction } from './handle-action.js';
import type { MessageRef, Messenger } from './messenger.js';

/** Channel ids of one platform: alerts, escalations (optional), digest (defaults to the alert channel). */
export interface PlatformChannels {
  alert: string;
  escalation?: string;
  digest?: string;
}

/** Where a private note to one user goes: the user, and the conversation (and thread) they acted in. */
export interface UserPlace {
  userId: string;
  channel?: string;
  threadTs?: string;
}

/** What the chat service offers a platform for the requests that arrive from it (clicks, forms, commands). */
export interface ChatInbound {
  /** Applies a click or a submitted form: authorised from configuration, stored, audited; returns what to show. */
  act(action: ChatAction): Promise<ActionOutcome>;
  /** After a stored decision: refreshes the finding's card on every platform and escalates; returns a note for the decider when something failed. */
  afterDecision(action: ChatAction): Promise<string | undefined>;
  /** The finding's card as it stands now (after a cancelled form), or undefined when the finding is gone. */
  findingCard(findingId: string): Promise<Card | undefined>;
  /** The stored reference of a finding's card on the named platform. */
  messageOf(platform: string, findingId: string): Promise<MessageRef | undefined>;
  /** Hands a slow lookup (who, baseline, findings) to the job queue; the answer comes through ChatPlatform.answer. */
  lookup(request: LookupRequest): Promise<void>;
  /** Answers a command at once (help, usage errors, small lookups) as a card. */
  answerNow(request: LookupRequest): Promise<Card>;
  /** Something this platform learned and must remember across restarts and processes (Teams: a tenant's service URL). */
  recall(key: string): Promise<string | undefined>;
  /** Remembers a value under a key for this platform. */
  remember(key: string, value: string): Promise<void>;
}

/**
 * A chat platform (Slack, Teams) as the chat service sees it: post a card, update it, reply in its
 * thread (the messenger), answer a command, tell one user privately, and say who is a responder.
 * A platform parses its own payloads into neutral actions and commands and never touches the store.
 */
export interface ChatPlatform {
  /** Platform name (`slack`, `teams`): stored with message references and prefixed to actors (`slack:U123`). */
  readonly name: string;
  /** Posts, updates and finds cards; replies go into a card's thread with `threadTs`. */
  readonly messenger: Messenger;
  /** Where alerts, escalations and the digest go on this platform. */
  readonly channels: PlatformChannels;
  /** HTTP endpoints this platform serves on the shared server, by path (`/slack/events`, `/api/messages`). */
  readonly routes: Record<string, RequestListener>;
  /** True when the actor (`slack:U123`, `teams:<object id>`) may mark benign or escalate, from configuration. */
  isResponder(actor: string): Promise<boolean>;
  /** Delivers the answer to a command to whoever asked (`replyTo` is the platform's address from the request). */
  answer(replyTo: string, card: Card): Promise<void>;
  /** Tells one user something only they need to see (refusals, failures). */
  tell(place: UserPlace, text: string): Promise<void>;
  /** The email address of a platform user, for principals given as a mention; undefined when the platform does not say. */
  emailOf(userId: string): Promise<string | undefined>;
  /** Connects the platform's inbound handlers to the chat service; called once, before start. */
  attach(inbound: ChatInbound): void;
  /** Checks credentials and connects what is not HTTP (Slack Socket Mode); HTTP routes are served by the chat service. */
  start(): Promise<void>;
  stop(): Promise<void>;
}
