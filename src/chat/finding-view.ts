import type { Finding } from '../core/finding.js';
import type { DecisionView, FindingView } from '../cards/finding-card.js';
import { hourOf, mergeRollups, OTHER } from '../core/rollup.js';
import { localTime } from '../detection/detection-settings.js';
import { getFindingDecision, type FindingDecision } from '../store/findings.js';
import { identityRollups } from '../store/rollups.js';
import type { ChatDeps } from './chat-deps.js';
import { consoleLinks } from './console-links.js';

const HOUR = 3_600_000;

/** `this IP 203.0.113.9`, `this detector (new-source-ip)`, `this identity`: a suppression scope in words. */
export function scopeWords(f: Pick<Finding, 'detector'>, scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  if (scope.startsWith('ip:')) return `this IP ${scope.slice(3)} (${f.detector})`;
  if (scope.startsWith('bucket:')) return `this bucket ${scope.slice(7)} (${f.detector})`;
  if (scope === 'detector') return `this detector (${f.detector})`;
  return 'this identity (every detector)';
}

/** A stored decision as a card shows it. */
export function decisionView(f: Finding, d: FindingDecision): DecisionView {
  return { status: d.status, by: d.by, at: d.at, reason: d.reason, scope: scopeWords(f, d.detail.scope), expiresAt: d.detail.expiresAt };
}

/** Everything the finding card shows: the last 24 hours of activity, the actions in the window, local time, decision, links. */
export async function findingView(deps: Pick<ChatDeps, 'sql' | 'settings' | 'links'>, f: Finding): Promise<FindingView> {
  const last = hourOf(f.end);
  const from = last - 23 * HOUR;
  const rollups = await identityRollups(deps.sql, f.identity, from, last + HOUR);
  const ops = Array.from({ length: 24 }, (_, i) => {
    const r = rollups.find((x) => x.hour === from + i * HOUR);
    return r ? Object.values(r.ops).reduce((a, b) => a + b, 0) : 0;
  });
  const inWindow = rollups.filter((r) => r.hour >= hourOf(f.start));
  const merged = inWindow.length ? inWindow.reduce((a, r) => mergeRollups(a, r)) : undefined;
  const actions = Object.entries(merged?.actions ?? {}).filter(([k]) => k !== OTHER).sort((a, b) => b[1] - a[1]).map(([name, count]) => ({ name, count }));
  const local = localTime(deps.settings, f, f.start);
  const decision = await getFindingDecision(deps.sql, f.id);
  return {
    finding: f, hourly: { from, ops }, actions, local: { label: local.label, inBusinessHours: local.inBusinessHours },
    decision: decision ? decisionView(f, decision) : undefined, links: consoleLinks(f, deps.links),
  };
}
