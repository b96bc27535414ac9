import { digestCard, type Digest } from '../cards/digest-card.js';
import { SEVERITIES, type FindingStatus, type Severity } from '../core/finding.js';
import { dailyFindingCounts, findingActivity, listFindings } from '../store/findings.js';
import { postedDigest, recordDigest } from '../store/digests.js';
import { getMessages } from '../store/messages.js';
import { scanProblemsSince } from '../store/scan-reports.js';
import type { ChatDeps } from './chat-deps.js';
import type { MessageRef } from './messenger.js';

const DAY = 86_400_000;
const TREND_DAYS = 14;
const OPEN_SHOWN = 10;

function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The digest of the day up to `now`: counts by severity and outcome, triage time, top identities, 14-day trend, open findings with links. */
export async function buildDigest(deps: ChatDeps, now: number): Promise<Digest> {
  const from = now - DAY;
  const activity = await findingActivity(deps.sql, from, now);
  const created = activity.filter((a) => a.createdAt >= from);
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, { open: 0, benign: 0, escalated: 0, suppressed: 0 }])) as Record<Severity, Record<FindingStatus, number>>;
  for (const a of created) counts[a.severity][a.status]++;
  const decided = activity.filter((a) => a.decidedAt !== undefined && a.decidedAt >= from);
  const perIdentity = new Map<string, { name: string; cloud: string; findings: number }>();
  for (const a of created.filter((x) => x.status !== 'suppressed')) {
    const entry = perIdentity.get(a.identity) ?? { name: a.principalName, cloud: a.cloud, findings: 0 };
    entry.findings++;
    perIdentity.set(a.identity, entry);
  }
  const open = await listFindings(deps.sql, { status: 'open', limit: 1000 });
  const shown = open.slice(0, OPEN_SHOWN);
  const messages = await getMessages(deps.sql, deps.messenger.platform, shown.map((f) => f.id));
  const created_ = new Map(activity.map((a) => [a.id, a.createdAt]));
  const withLinks = await Promise.all(shown.map(async (f) => {
    const m = messages.get(f.id);
    const url = m?.ts ? await deps.messenger.permalink({ channel: m.channel, ts: m.ts }).catch(() => undefined) : undefined;
    return { id: f.id, severity: f.severity, title: f.title, principal: f.principal.name, createdAt: created_.get(f.id) ?? f.start, url };
  }));
  return {
    from, to: now, counts, decided: decided.length,
    medianTriageMs: median(decided.map((a) => a.decidedAt! - a.createdAt)),
    topIdentities: [...perIdentity.values()].sort((a, b) => b.findings - a.findings || a.name.localeCompare(b.name)).slice(0, 5),
    trend: await dailyFindingCounts(deps.sql, now, TREND_DAYS),
    open: withLinks, openTotal: open.length,
    unread: await scanProblemsSince(deps.sql, from, now),
  };
}

/** Posts the daily digest to the digest channel (the alert channel when none is set). The caller schedules it. */
export async function postDigest(deps: ChatDeps, opts: { now?: number } = {}): Promise<{ digest: Digest; ref: MessageRef }> {
  const now = opts.now ?? deps.now?.() ?? Date.now();
  const digest = await buildDigest(deps, now);
  const ref = await deps.messenger.post(deps.channels.digest ?? deps.channels.alert, digestCard(digest));
  return { digest, ref };
}

/**
 * Posts the digest of `day` (`2026-12-06`) unless this platform already has it (a retried or repeated
 * job): `posted` is false and `ref` the earlier message then. A crash between the post and its record
 * (a window of milliseconds) is the one way to a second digest of the day.
 */
export async function postDigestOnce(deps: ChatDeps, day: string, opts: { now?: number } = {}): Promise<{ ref: MessageRef; posted: boolean }> {
  const earlier = await postedDigest(deps.sql, deps.messenger.platform, day);
  if (earlier) return { ref: earlier, posted: false };
  const { ref } = await postDigest(deps, opts);
  await recordDigest(deps.sql, deps.messenger.platform, day, ref);
  return { ref, posted: true };
}
