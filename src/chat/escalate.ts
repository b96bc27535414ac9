import { escalationCard } from '../cards/finding-card.js';
import type { Finding, Severity } from '../core/finding.js';
import { audit } from '../store/audit-log.js';
import { getFinding } from '../store/findings.js';
import { getMessage } from '../store/messages.js';
import type { ChatDeps } from './chat-deps.js';
import { findingView } from './finding-view.js';

/** Where escalations go besides the escalation channel. */
export interface EscalationTargets {
  /** Any HTTP endpoint that accepts a JSON POST (SOAR, ticketing, a chat-ops relay). */
  webhookUrl?: string;
  /** PagerDuty Events API v2: integration routing key and the enqueue URL (configurable so tests can use a fake). */
  pagerDuty?: { routingKey: string; eventsUrl: string };
}

/** What escalate needs: the store, and every platform (its messenger and escalation channel). */
export type EscalationDeps = Pick<ChatDeps, 'sql' | 'settings' | 'links'> & { platforms: readonly ChatDeps[]; escalation: EscalationTargets; fetch?: typeof fetch };

/** How one escalation target fared. */
export interface EscalationResult {
  target: 'channel' | 'webhook' | 'pagerduty';
  /** The chat platform of a channel target. */
  platform?: string;
  ok: boolean;
  detail?: string;
}

const PD_SEVERITY: Record<Severity, string> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' };

function findingJson(f: Finding): Record<string, unknown> {
  return {
    id: f.id, severity: f.severity, title: f.title, summary: f.summary, detector: f.detector, status: f.status, cloud: f.cloud, account: f.account,
    principal: f.principal, identity: f.identity, scope: f.scope, start: new Date(f.start).toISOString(), end: new Date(f.end).toISOString(),
    occurrences: f.occurrences, evidence: f.evidence,
  };
}

async function postJson(doFetch: typeof fetch, url: string, body: unknown): Promise<string> {
  const res = await doFetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  return `HTTP ${res.status}`;
}

/**
 * Sends an escalated finding to every configured target: the escalation channel of every platform (a card
 * linking the original alert on that platform), the generic webhook and PagerDuty (one incident per finding: the dedup key is the
 * finding id). A failing target does not stop the others; each outcome is audited and returned.
 */
export async function escalate(deps: EscalationDeps, findingId: string, actor: string): Promise<EscalationResult[]> {
  const f = await getFinding(deps.sql, findingId);
  if (!f) return [];
  const view = await findingView(deps, f);
  const permalinks = await Promise.all(deps.platforms.map(async (p) => {
    const message = await getMessage(deps.sql, { findingId, platform: p.messenger.platform });
    return message?.ts ? p.messenger.permalink({ channel: message.channel, ts: message.ts }).catch(() => undefined) : undefined;
  }));
  const permalink = permalinks.find(Boolean);
  const doFetch = deps.fetch ?? fetch;
  const decision = view.decision ? { by: view.decision.by, at: new Date(view.decision.at).toISOString(), reason: view.decision.reason } : { by: actor };
  const jobs: { target: EscalationResult['target']; platform?: string; run: () => Promise<string> }[] = [];
  deps.platforms.forEach((p, i) => {
    const channel = p.channels.escalation;
    if (channel) jobs.push({ target: 'channel', platform: p.messenger.platform, run: async () => (await p.messenger.post(channel, escalationCard(view, permalinks[i]))).ts });
  });
  const { webhookUrl, pagerDuty } = deps.escalation;
  if (webhookUrl) {
    jobs.push({ target: 'webhook', run: () => postJson(doFetch, webhookUrl, { event: 'storage_watch.finding.escalated', finding: findingJson(f), decision, link: permalink ?? null, consoleLinks: view.links }) });
  }
  if (pagerDuty) {
    jobs.push({
      target: 'pagerduty',
      run: () => postJson(doFetch, pagerDuty.eventsUrl, {
        routing_key: pagerDuty.routingKey, event_action: 'trigger', dedup_key: `storage-watch-${f.id}`,
        payload: {
          summary: `[${f.severity}] ${f.principal.name}: ${f.title}`.slice(0, 1024), source: `${f.cloud}:${f.account}`, severity: PD_SEVERITY[f.severity],
          timestamp: new Date(f.start).toISOString(), component: f.principal.id, group: f.account, class: f.detector,
          custom_details: { ...findingJson(f), decision },
        },
        client: 'storage-watch', ...(permalink ? { client_url: permalink } : {}),
        links: [...(permalink ? [{ href: permalink, text: 'Alert in chat' }] : []), ...view.links.map((l) => ({ href: l.url, text: l.label }))],
      }),
    });
  }
  const results: EscalationResult[] = [];
  for (const job of jobs) {
    const at = job.platform ? { target: job.target, platform: job.platform } : { target: job.target };
    const result = await job.run().then((detail): EscalationResult => ({ ...at, ok: true, detail }), (err: unknown): EscalationResult => ({
      ...at, ok: false, detail: err instanceof Error ? err.message : String(err),
    }));
    results.push(result);
    await audit(deps.sql, { actor, action: 'finding.escalate.notify', target: f.id, result: result.ok ? 'done' : 'failed', detail: { to: result.target, ...(result.platform ? { platform: result.platform } : {}), detail: result.detail } });
  }
  return results;
}
