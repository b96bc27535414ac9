import { baselineCard } from '../cards/baseline-card.js';
import { code, italic, type Card } from '../core/card.js';
import type { Finding } from '../core/finding.js';
import { findingsCard } from '../cards/findings-card.js';
import { candidatesBlocks, whoCard } from '../cards/who-card.js';
import type { DetectionSettings } from '../detection/detection-settings.js';
import { baselineReports } from '../lookup/baseline-report.js';
import { resolvePrincipal } from '../lookup/resolve-principal.js';
import { whoReports } from '../lookup/who-report.js';
import { audit } from '../store/audit-log.js';
import { listFindings } from '../store/findings.js';
import type { Sql } from '../store/sql.js';
import { USAGE, type Command, type PrincipalRef } from './commands.js';

/** A lookup to answer: small and serialisable, so it can travel through a job queue. */
export interface LookupRequest {
  command: Command;
  /** Where the answer goes, as the platform addresses it (Slack: the slash command's response_url; Teams: the conversation). */
  responseUrl: string;
  /** The platform the command came from (`slack` when absent, as in jobs queued before Teams existed). */
  platform?: string;
  /** Platform user id of whoever asked. */
  userId: string;
}

/** What answerLookup needs. */
export interface LookupDeps {
  sql: Sql;
  settings: DetectionSettings;
  /** Platform name for the audit trail (`slack`). */
  platform: string;
  /** Delivers the answer card to whoever asked. */
  respond(responseUrl: string, card: Card): Promise<void>;
  /** The email of a chat user, for principals given as a mention; undefined when the platform does not say. */
  emailOf(userId: string): Promise<string | undefined>;
  now?: () => number;
}

/** The usage of every command, as a card (`usage`: the platform's way of typing them, slash commands by default). */
export function helpCard(error?: string, usage: string = USAGE): Card {
  return {
    title: 'storage-watch commands',
    tone: error ? 'low' : 'info',
    blocks: [
      ...(error ? [{ kind: 'text' as const, lines: [[italic(error)]] }] : []),
      { kind: 'text', lines: usage.split('\n').map((l) => [code(l)]) },
    ],
    summary: error ? `${error}. ${usage.split('\n')[0]}` : 'storage-watch commands',
  };
}

function errorCard(title: string, message: string): Card {
  return { title, tone: 'low', blocks: [{ kind: 'text', lines: [[message]] }], summary: message };
}

async function principalText(deps: LookupDeps, p: PrincipalRef): Promise<string | undefined> {
  return p.kind === 'text' ? p.value : deps.emailOf(p.userId);
}

async function findingsOf(deps: LookupDeps, query: string): Promise<Card> {
  const { chosen, candidates } = await resolvePrincipal(deps.sql, query);
  if (!chosen.length) return { title: `Findings of ${query}`, tone: 'info', blocks: candidatesBlocks(query, candidates), summary: `No single identity matches ${query}` };
  const all: Finding[] = [];
  for (const identity of chosen) all.push(...await listFindings(deps.sql, { identity: identity.key, limit: 25 }));
  all.sort((a, b) => b.end - a.end);
  return findingsCard(`Findings of ${query}`, all);
}

/** The answer card for a command (no delivery). */
export async function lookupCard(deps: LookupDeps, command: Command): Promise<Card> {
  const now = deps.now?.() ?? Date.now();
  if (command.name === 'help') return helpCard();
  if (command.name === 'findings' && command.filter.kind !== 'principal') {
    const open = command.filter.kind === 'open';
    const findings = await listFindings(deps.sql, open ? { status: 'open', limit: 50 } : { since: now - 86_400_000, limit: 50 });
    return findingsCard(open ? 'Open findings' : 'Findings of the last 24 h', open ? findings : findings.filter((f) => f.status !== 'suppressed'));
  }
  const ref = command.name === 'findings' && command.filter.kind === 'principal' ? command.filter.principal : 'principal' in command ? command.principal : undefined;
  const query = ref && await principalText(deps, ref);
  if (!query) {
    return errorCard('Unknown user', 'Could not read that user\'s email address: the app needs the users:read.email scope, and the user must have an email.');
  }
  if (command.name === 'who') {
    const { reports, candidates } = await whoReports(deps.sql, query, now - command.windowMs, now, deps.settings.learningDays);
    return whoCard(query, reports, candidates);
  }
  if (command.name === 'baseline') {
    const { reports, candidates } = await baselineReports(deps.sql, query, deps.settings, now);
    return baselineCard(query, reports, candidates);
  }
  return findingsOf(deps, query);
}

/**
 * Answers a slash command: resolves a mentioned user to their email, runs the report (who, baseline,
 * findings), delivers it as a card and audits who asked what. A failure is delivered as an error
 * message rather than thrown, so the person who asked is never left without an answer.
 */
export async function answerLookup(deps: LookupDeps, req: LookupRequest): Promise<Card> {
  let card: Card;
  let result: 'done' | 'failed' = 'done';
  try {
    card = await lookupCard(deps, req.command);
  } catch (err) {
    result = 'failed';
    card = errorCard('Lookup failed', `The lookup failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  await audit(deps.sql, { actor: `${deps.platform}:${req.userId}`, action: `lookup.${req.command.name}`, result, detail: { command: req.command } }).catch(() => undefined);
  await deps.respond(req.responseUrl, card);
  return card;
}
