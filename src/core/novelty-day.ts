import { maxSeverity, type Evidence, type FindingDraft } from './finding.js';

/** Detectors whose low findings say "something new" rather than "something big": grouped per identity per day. */
export const NOVELTY_DETECTORS: ReadonlySet<string> = new Set(['new-source-ip', 'first-bucket-access', 'unusual-client', 'secret-object-read']);

const MAX_LISTED = 50;

/** The scope of an identity's grouped low novelty on the UTC day of `t`. */
export function dayScope(t: number): string {
  return `day:${new Date(t).toISOString().slice(0, 10)}`;
}

/** A low novelty draft rescoped to its day, so that one finding per identity, detector and day lists what was new. */
export function groupNovelty(draft: FindingDraft): FindingDraft {
  if (draft.severity !== 'low' || !NOVELTY_DETECTORS.has(draft.detector)) return draft;
  return { ...draft, scope: dayScope(draft.start) };
}

function union(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  return [...new Set([...(a ?? []), ...(b ?? [])])].slice(0, MAX_LISTED);
}

/** What a day-grouped finding lists as new, in words: `addresses`, `buckets`, `clients` or `secret-looking objects`. */
function listedValues(detector: string, e: Evidence): { noun: string; values: string[] } {
  if (detector === 'new-source-ip') return { noun: 'source addresses', values: e.firstSeen.ips ?? [] };
  if (detector === 'first-bucket-access') return { noun: 'buckets', values: e.firstSeen.buckets ?? [] };
  if (detector === 'unusual-client') return { noun: 'clients', values: e.firstSeen.clients ?? [] };
  return { noun: 'secret-looking objects', values: e.sampleKeys };
}

/** The common network prefix of the values when they are addresses that share one (`10.0.0.0/8`). */
function commonNetwork(values: readonly string[], networks: readonly string[]): string | undefined {
  const unique = [...new Set(networks)];
  return values.length > 1 && unique.length === 1 ? unique[0] : undefined;
}

/**
 * Merges a later detection into the open finding it repeats. A day-grouped novelty finding keeps
 * the union of what was new (and says how many); any other finding takes the latest figures and
 * keeps the highest severity.
 */
export function mergeDrafts(old: FindingDraft, next: FindingDraft, who: string): FindingDraft {
  const severity = maxSeverity(old.severity, next.severity);
  const span = { start: Math.min(old.start, next.start), end: Math.max(old.end, next.end) };
  if (!next.scope.startsWith('day:')) return { ...next, ...span, severity };
  const o = old.evidence;
  const n = next.evidence;
  const evidence: Evidence = {
    ...n,
    firstSeen: {
      ips: union(o.firstSeen.ips, n.firstSeen.ips),
      networks: union(o.firstSeen.networks, n.firstSeen.networks),
      clients: union(o.firstSeen.clients, n.firstSeen.clients),
      buckets: union(o.firstSeen.buckets, n.firstSeen.buckets),
    },
    buckets: union(o.buckets, n.buckets).slice(0, 10),
    sampleKeys: union(o.sampleKeys, n.sampleKeys).slice(0, 20),
    ips: union(o.ips, n.ips).slice(0, 10),
    clients: union(o.clients, n.clients).slice(0, 10),
  };
  const { noun, values } = listedValues(next.detector, evidence);
  const network = next.detector === 'new-source-ip' ? commonNetwork(values, evidence.firstSeen.networks ?? []) : undefined;
  const day = next.scope.slice(4);
  const count = values.length >= MAX_LISTED ? `${MAX_LISTED}+` : String(values.length);
  return {
    ...next,
    ...span,
    severity,
    evidence,
    title: `${count} new ${noun} for ${who} on ${day}${network ? `, all in ${network}` : ''}`,
    summary:
      `New for ${who} on ${day}: ${values.slice(0, 8).join(', ')}${values.length > 8 ? ` and ${values.length - 8} more` : ''}. ` +
      `Each was low on its own (no abnormal volume, hour or tool came with it), so they are listed together. Latest: ${next.summary}`,
  };
}
