import type { Card } from '../core/card.js';
import { detailsCard, findingCard } from '../cards/finding-card.js';
import type { Finding } from '../core/finding.js';
import { audit } from '../store/audit-log.js';
import { claimDelivery, releaseDelivery } from '../store/chat-deliveries.js';
import { getFinding, getFindingDecision, setFindingStatus, type FindingDecision } from '../store/findings.js';
import { addSuppression } from '../store/suppressions.js';
import { getBaselines, saveBaselines } from '../store/baselines.js';
import { acceptValues } from '../detection/learn-baseline.js';
import type { ChatDeps } from './chat-deps.js';
import { findingView } from './finding-view.js';

/** Who may mark findings benign or escalate them, from configuration (never from the click itself). */
export interface Responders {
  /** True when the platform user (`slack:U123`) is a responder. */
  isResponder(actor: string): Promise<boolean>;
}

/** How far a benign decision reaches: the finding's IP or bucket, its detector, or the whole identity (all for this identity). */
export type BenignScope = 'ip' | 'bucket' | 'detector' | 'identity';
/** How long a benign decision lasts. */
export type Expiry = '1d' | '7d' | '30d' | 'never';

/** Every expiry, in the order a form offers them. */
export const EXPIRIES: readonly { value: Expiry; label: string; ms?: number }[] = [
  { value: '1d', label: '1 day', ms: 86_400_000 },
  { value: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: '30 days', ms: 30 * 86_400_000 },
  { value: 'never', label: 'Never' },
];

/**
 * A responder's action on a finding, platform-neutral. Without `reason`, benign and escalate are the
 * click that asks for the form; with it, the submitted decision. The finding id is all a click carries.
 */
export interface ChatAction {
  findingId: string;
  action: 'benign' | 'escalate' | 'details';
  /** Platform user reference: `slack:U0123ABC`. */
  actor: string;
  reason?: string;
  scope?: BenignScope;
  expiry?: Expiry;
  /**
   * What identifies this delivery of the click or form on its platform (Slack: the trigger id;
   * Teams: the activity id), prefixed with the platform. Two deliveries with the same key (a replay,
   * a platform retry) are applied once: the second one does nothing and is not audited.
   */
  deliveryKey?: string;
}

/** The form a decision needs, with the choices this finding allows. */
export interface DecisionForm {
  action: 'benign' | 'escalate';
  finding: Pick<Finding, 'id' | 'title' | 'severity'> & { principal: string };
  scopes: { value: BenignScope; label: string }[];
  expiries: { value: Expiry; label: string }[];
}

/** What the platform does after a decision: refresh the card everywhere, notify escalation targets, or reply with details. */
export type ActionEffect = { kind: 'refresh-card' } | { kind: 'escalate' } | { kind: 'details'; card: Card };

/** The result of an action, for the platform to show. */
export type ActionOutcome =
  | { kind: 'form'; form: DecisionForm }
  | { kind: 'done'; card: Card; decision?: FindingDecision; effects: ActionEffect[] }
  /** Not allowed, not found, already decided, or bad input: `message` says which, for the user alone. */
  | { kind: 'refused' | 'missing' | 'already' | 'invalid'; message: string }
  /** The same delivery was handled before (replayed or retried): nothing was done this time. */
  | { kind: 'duplicate'; message: string };

/** What handleAction needs. */
export type ActionDeps = Pick<ChatDeps, 'sql' | 'settings' | 'links' | 'now'> & { responders: Responders };

/** The benign scopes a finding offers, narrowest first. */
export function benignScopes(f: Finding): { value: BenignScope; label: string; ip?: string; bucket?: string }[] {
  const scopes: { value: BenignScope; label: string; ip?: string; bucket?: string }[] = [];
  const ip = f.scope.startsWith('ip:') ? f.scope.slice(3) : !f.scope && f.evidence.ips.length === 1 ? f.evidence.ips[0] : undefined;
  if (ip) scopes.push({ value: 'ip', label: `This IP (${ip})`, ip });
  if (f.scope.startsWith('bucket:')) scopes.push({ value: 'bucket', label: `This bucket (${f.scope.slice(7)})`, bucket: f.scope.slice(7) });
  scopes.push({ value: 'detector', label: `This detector (${f.detector})` }, { value: 'identity', label: 'This identity (every detector)' });
  return scopes;
}

class AlreadyDecided extends Error {}

async function decide(deps: ActionDeps, f: Finding, a: ChatAction & { reason: string }, now: number): Promise<FindingDecision | undefined> {
  const scope = a.action === 'benign' ? benignScopes(f).find((s) => s.value === a.scope) : undefined;
  const expiry = EXPIRIES.find((e) => e.value === (a.expiry ?? 'never'))!;
  try {
    return await deps.sql.transaction(async (tx) => {
      const expiresAt = expiry.ms === undefined ? undefined : now + expiry.ms;
      const suppression = scope && await addSuppression(tx, {
        identity: f.identity, detector: scope.value === 'identity' ? undefined : f.detector, ip: scope.ip, bucket: scope.bucket,
        reason: a.reason, author: a.actor, expiresAt,
      });
      const scopeKey = scope?.ip ? `ip:${scope.ip}` : scope?.bucket ? `bucket:${scope.bucket}` : scope?.value;
      const decision = await setFindingStatus(tx, f.id, {
        status: a.action === 'benign' ? 'benign' : 'escalated', by: a.actor, at: now, reason: a.reason,
        detail: suppression ? { suppressionId: suppression.id, scope: scopeKey, expiresAt } : {},
      });
      if (!decision) throw new AlreadyDecided();
      if (a.action === 'benign') {
        // What the responder called fine stops being "new" for this identity right away.
        const baseline = (await getBaselines(tx, [f.identity])).get(f.identity)!;
        if (baseline.through) await saveBaselines(tx, [acceptValues(baseline, f.evidence.firstSeen, now)]);
      }
      await audit(tx, {
        actor: a.actor, action: `finding.${a.action}`, target: f.id, result: 'done',
        detail: { reason: a.reason, ...(suppression ? { suppression: suppression.id, scope: scopeKey, expiresAt: expiresAt ?? null } : {}) },
      });
      return decision;
    });
  } catch (err) {
    if (err instanceof AlreadyDecided) return undefined;
    throw err;
  }
}

/**
 * Applies a chat action: authorises the actor from configuration (benign and escalate are for responders
 * only), stores the decision (status, and for benign an expiring scoped suppression), writes an audit row
 * for every attempt, allowed or refused, and returns the refreshed card and what the platform must do next.
 * A delivery whose key was handled before (a replay, a platform retry) does nothing and is not audited.
 */
export async function handleAction(deps: ActionDeps, a: ChatAction): Promise<ActionOutcome> {
  if (a.deliveryKey === undefined) return applyAction(deps, a);
  if (!(await claimDelivery(deps.sql, a.deliveryKey))) return { kind: 'duplicate', message: 'This request was already handled.' };
  try {
    return await applyAction(deps, a);
  } catch (err) {
    // A decision commits in one transaction with its audit row, so nothing of it stands: a retry may act.
    await releaseDelivery(deps.sql, a.deliveryKey).catch(() => undefined);
    throw err;
  }
}

async function applyAction(deps: ActionDeps, a: ChatAction): Promise<ActionOutcome> {
  const now = deps.now?.() ?? Date.now();
  const stage = a.action !== 'details' && a.reason === undefined ? '.request' : '';
  const log = (result: 'allowed' | 'refused' | 'failed' | 'done', detail: Record<string, unknown> = {}): Promise<void> =>
    audit(deps.sql, { actor: a.actor, action: `finding.${a.action}${stage}`, target: a.findingId, result, detail });
  const f = await getFinding(deps.sql, a.findingId);
  if (!f) {
    await log('failed', { why: 'no such finding' });
    return { kind: 'missing', message: `Finding ${a.findingId} no longer exists.` };
  }
  if (a.action === 'details') {
    await log('done');
    return { kind: 'done', card: detailsCard(f), effects: [{ kind: 'details', card: detailsCard(f) }] };
  }
  if (!(await deps.responders.isResponder(a.actor))) {
    await log('refused', { why: 'not a responder' });
    return { kind: 'refused', message: `Only configured responders can ${a.action === 'benign' ? 'mark findings benign' : 'escalate findings'}. This attempt was logged.` };
  }
  const previous = await getFindingDecision(deps.sql, f.id);
  if (previous || f.status !== 'open') {
    await log('failed', { why: `already ${f.status}` });
    const who = previous ? ` by ${previous.by}` : '';
    return { kind: 'already', message: `This finding is already ${f.status}${who}.` };
  }
  if (stage) {
    await log('allowed');
    const finding = { id: f.id, title: f.title, severity: f.severity, principal: f.principal.name };
    return { kind: 'form', form: { action: a.action, finding, scopes: benignScopes(f).map(({ value, label }) => ({ value, label })), expiries: EXPIRIES.map(({ value, label }) => ({ value, label })) } };
  }
  const reason = (a.reason ?? '').trim();
  if (!reason || (a.action === 'benign' && !benignScopes(f).some((s) => s.value === a.scope))) {
    await log('failed', { why: reason ? `scope ${String(a.scope)} not offered` : 'no reason' });
    return { kind: 'invalid', message: reason ? 'Choose one of the offered scopes.' : 'A reason is required.' };
  }
  const decision = await decide(deps, f, { ...a, reason: reason.slice(0, 2000) }, now);
  if (!decision) {
    await log('failed', { why: 'decided concurrently' });
    return { kind: 'already', message: 'Someone else decided this finding a moment ago.' };
  }
  const fresh = (await getFinding(deps.sql, f.id))!;
  const card = findingCard(await findingView(deps, fresh));
  return { kind: 'done', card, decision, effects: a.action === 'escalate' ? [{ kind: 'refresh-card' }, { kind: 'escalate' }] : [{ kind: 'refresh-card' }] };
}
