import { createHash } from 'node:crypto';
import { maxSeverity, type Finding, type FindingDraft, type Severity } from '../core/finding.js';
import type { Identity } from '../core/identity.js';
import { mergeDrafts } from '../core/novelty-day.js';
import { fromRow, GROUP_WINDOW_MS, SELECT, type FindingRow } from './findings.js';
import { upsertIdentities } from './identities.js';
import type { Sql } from './sql.js';

/** What recording a detection did. */
export type FindingChange = 'new' | 'updated';

/** A finding created or updated by recording detections. */
export interface FindingUpdate {
  finding: Finding;
  change: FindingChange;
}

/** A detection to store: who, what, and the suppression that silenced it, if any. */
export interface DetectionToRecord {
  identity: Identity;
  draft: FindingDraft;
  suppressedBy?: string;
}

/** Options of recording. */
export interface RecordOptions {
  /** New findings one detector may open per hour across identities; the surplus folds into one storm finding. */
  stormLimit?: number;
}

const HOUR = 3_600_000;
const CHUNK = 500;

function groupKeyOf(identity: Identity, draft: FindingDraft): string {
  return `${identity.key}|${draft.detector}|${draft.scope}`;
}

/**
 * The finding a detection repeats: an open finding of the same group absorbs it for as long as it is
 * undecided; a decided one only within GROUP_WINDOW_MS; a suppressed detection only joins a suppressed
 * finding and an alerting one never does, so activity that outlives its suppression alerts again.
 */
function repeatOf(candidates: readonly Finding[] | undefined, d: DetectionToRecord): Finding | undefined {
  if (!candidates) return undefined;
  const near = (f: Finding): boolean => f.end >= d.draft.start - GROUP_WINDOW_MS && f.start <= d.draft.end + GROUP_WINDOW_MS;
  if (d.suppressedBy) return candidates.find((f) => f.status === 'suppressed' && near(f));
  return candidates.find((f) => f.status === 'open') ?? candidates.find((f) => f.status !== 'suppressed' && near(f));
}

/** A storm: what one detector would have opened beyond the limit in one hour. */
interface Storm {
  identity: Identity;
  draft: FindingDraft;
  identities: Set<string>;
  names: string[];
  folded: number;
}

function stormIdentity(like: Identity): Identity {
  return { key: `${like.cloud}|*|storm-guard`, cloud: like.cloud, account: '*', principal: { id: 'storm-guard', name: 'storm guard', type: 'service' } };
}

function stormDraft(s: Storm, detector: string, hour: number, limit: number, severity: Severity, start: number, end: number): FindingDraft {
  const at = new Date(hour).toISOString().slice(0, 13) + ':00Z';
  const names = s.names.slice(0, 10).join(', ') + (s.identities.size > 10 ? ` and ${s.identities.size - 10} more` : '');
  return {
    detector, severity, scope: `storm:${at}`, start, end,
    title: `Storm guard: ${s.folded.toLocaleString('en-US')} more ${detector} findings for ${s.identities.size.toLocaleString('en-US')} identities in the hour from ${at}`,
    summary:
      `${detector} would have opened more than ${limit} findings in one hour across identities; the first ${limit} were opened as usual and ` +
      `the other ${s.folded.toLocaleString('en-US')} are folded into this one so that the channel and the database are not buried. ` +
      `A logging change, a new proxy or NAT, or one mass event usually explains a storm. Identities: ${names}.`,
    evidence: {
      observed: { foldedFindings: s.folded, identities: s.identities.size },
      expected: { findingsPerDetectorHour: limit },
      baseline: { days: 0, learning: false },
      firstSeen: {},
      buckets: [], sampleKeys: [], ips: [], clients: [],
      severityReason: `the most severe of the folded findings was ${severity}`,
    },
  };
}

/**
 * Stores a batch of detections with one read and one write per 500 findings: new findings, repeats
 * folded into the finding they repeat, and beyond `stormLimit` new findings of one detector in one
 * hour, one storm finding per detector and hour. Returns each finding touched, as it stands after.
 */
export async function recordFindings(sql: Sql, detections: readonly DetectionToRecord[], opts: RecordOptions = {}): Promise<FindingUpdate[]> {
  if (!detections.length) return [];
  const candidates = await loadCandidates(sql, detections.map((d) => groupKeyOf(d.identity, d.draft)), Math.min(...detections.map((d) => d.draft.start)) - GROUP_WINDOW_MS);
  const touched = new Map<string, { finding: Finding; change: FindingChange; groupKey: string }>();
  const opened = new Map<string, number>();
  const storms = new Map<string, Storm>();
  const limit = opts.stormLimit ?? Infinity;

  for (const d of detections) {
    const groupKey = groupKeyOf(d.identity, d.draft);
    const old = repeatOf(candidates.get(groupKey), d);
    if (old) {
      const merged = mergeDrafts(old, d.draft, d.identity.principal.name);
      // mergeDrafts keeps the higher severity and the wider span.
      Object.assign(old, merged, { occurrences: old.occurrences + 1 });
      touched.set(old.id, { finding: old, change: touched.get(old.id)?.change ?? 'updated', groupKey });
      continue;
    }
    const hour = d.draft.start - (d.draft.start % HOUR);
    const slot = `${d.draft.detector}|${hour}`;
    const count = (opened.get(slot) ?? 0) + 1;
    opened.set(slot, count);
    if (!d.suppressedBy && count > limit) {
      const s = storms.get(slot) ?? { identity: stormIdentity(d.identity), draft: d.draft, identities: new Set<string>(), names: [], folded: 0 };
      s.folded++;
      if (!s.identities.has(d.identity.key)) {
        s.identities.add(d.identity.key);
        if (s.names.length < 10) s.names.push(d.identity.principal.name);
      }
      s.draft = stormDraft(s, d.draft.detector, hour, limit, maxSeverity(s.draft.severity, d.draft.severity), Math.min(s.draft.start, d.draft.start), Math.max(s.draft.end, d.draft.end));
      storms.set(slot, s);
      continue;
    }
    const finding = newFinding(groupKey, d.identity, d.draft, d.suppressedBy);
    candidates.set(groupKey, [finding, ...(candidates.get(groupKey) ?? [])]);
    touched.set(finding.id, { finding, change: 'new', groupKey });
  }
  if (storms.size) await foldStorms(sql, [...storms.values()], touched);
  await writeFindings(sql, [...touched.values()]);
  return [...touched.values()].map(({ finding, change }) => ({ finding, change }));
}

/** Stores one detection (see recordFindings). */
export async function recordFinding(sql: Sql, identity: Identity, draft: FindingDraft, suppressedBy?: string): Promise<FindingUpdate> {
  const [update] = await recordFindings(sql, [{ identity, draft, suppressedBy }]);
  return update!;
}

async function loadCandidates(sql: Sql, groupKeys: readonly string[], since: number): Promise<Map<string, Finding[]>> {
  const rows = await sql.query<FindingRow & { group_key: string }>(
    `${SELECT} where f.group_key = any($1) and (f.status = 'open' or f.end_at >= $2) order by f.end_at desc, f.id`,
    [[...new Set(groupKeys)], new Date(since)],
  );
  const out = new Map<string, Finding[]>();
  for (const r of rows) out.set(r.group_key, [...(out.get(r.group_key) ?? []), fromRow(r)]);
  return out;
}

function newFinding(groupKey: string, identity: Identity, draft: FindingDraft, suppressedBy?: string): Finding {
  return {
    ...draft,
    id: createHash('sha1').update(`${groupKey}|${draft.start}`).digest('hex').slice(0, 12),
    identity: identity.key, cloud: identity.cloud, account: identity.account,
    principal: { id: identity.principal.id, name: identity.principal.name, type: identity.principal.type },
    status: suppressedBy ? 'suppressed' : 'open', occurrences: 1, ...(suppressedBy ? { suppressedBy } : {}),
  };
}

async function foldStorms(sql: Sql, storms: readonly Storm[], touched: Map<string, { finding: Finding; change: FindingChange; groupKey: string }>): Promise<void> {
  await upsertIdentities(sql, storms.map((s) => ({ ...s.identity, first: s.draft.start, last: s.draft.end })));
  const keys = storms.map((s) => groupKeyOf(s.identity, s.draft));
  const existing = await loadCandidates(sql, keys, Math.min(...storms.map((s) => s.draft.start)) - GROUP_WINDOW_MS);
  storms.forEach((s, i) => {
    const old = existing.get(keys[i]!)?.find((f) => f.status === 'open');
    if (old) {
      const folded = (old.evidence.observed.foldedFindings ?? 0) + s.folded;
      Object.assign(old, { ...s.draft, start: Math.min(old.start, s.draft.start), end: Math.max(old.end, s.draft.end), severity: maxSeverity(old.severity, s.draft.severity) });
      old.evidence.observed.foldedFindings = folded;
      old.occurrences += 1;
      touched.set(old.id, { finding: old, change: 'updated', groupKey: keys[i]! });
    } else {
      const finding = newFinding(keys[i]!, s.identity, s.draft);
      touched.set(finding.id, { finding, change: 'new', groupKey: keys[i]! });
    }
  });
}

async function writeFindings(sql: Sql, rows: readonly { finding: Finding; groupKey: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK).map(({ finding: f, groupKey }) => ({
      id: f.id, group_key: groupKey, detector: f.detector, severity: f.severity, status: f.status, identity_key: f.identity, cloud: f.cloud,
      account: f.account, principal_id: f.principal.id, principal_name: f.principal.name, scope: f.scope, start_at: new Date(f.start).toISOString(),
      end_at: new Date(f.end).toISOString(), occurrences: f.occurrences, title: f.title, summary: f.summary, evidence: f.evidence, suppressed_by: f.suppressedBy ?? null,
    }));
    await sql.query(
      `insert into findings (id, group_key, detector, severity, status, identity_key, cloud, account, principal_id, principal_name, scope,
         start_at, end_at, occurrences, title, summary, evidence, suppressed_by)
       select id, group_key, detector, severity, status, identity_key, cloud, account, principal_id, principal_name, scope,
         start_at, end_at, occurrences, title, summary, evidence, suppressed_by
       from jsonb_to_recordset($1::jsonb) as x(id text, group_key text, detector text, severity text, status text, identity_key text, cloud text,
         account text, principal_id text, principal_name text, scope text, start_at timestamptz, end_at timestamptz, occurrences int, title text,
         summary text, evidence jsonb, suppressed_by text)
       on conflict (id) do update set severity = excluded.severity, start_at = excluded.start_at, end_at = excluded.end_at,
         occurrences = excluded.occurrences, title = excluded.title, summary = excluded.summary, evidence = excluded.evidence, updated_at = now()`,
      [JSON.stringify(part)],
    );
  }
}
