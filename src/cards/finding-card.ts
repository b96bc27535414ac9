import { badge, bold, code, count, italic, link, listLines, utcTime, type Card, type CardBlock, type Line } from '../core/card.js';
import type { Finding } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { sparkline } from '../core/sparkline.js';

/** A triage decision as a card shows it. */
export interface DecisionView {
  status: 'benign' | 'escalated';
  /** Platform user reference (`slack:U123`) or name. */
  by: string;
  at: number;
  reason: string;
  /** What the suppression covers, in words (`this IP 203.0.113.9`), and until when (undefined = never). */
  scope?: string;
  expiresAt?: number;
}

/** Everything a finding card shows besides the finding itself. */
export interface FindingView {
  finding: Finding;
  /** Operations per hour for the 24 hours up to the end of the finding, oldest first, starting at `from`. */
  hourly: { from: number; ops: number[] };
  /** Provider operations in the finding's window, busiest first. */
  actions: { name: string; count: number }[];
  /** The identity's local time at the start of the activity (`Tue 03:12 Europe/London`). */
  local: { label: string; inBusinessHours: boolean };
  decision?: DecisionView;
  /** Console pages that show the identity's log entries for the window. */
  links: { label: string; url: string }[];
}

const MAX_LIST = 8;

/** `readObjects` -> `read objects`. */
function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/(\d+)m\b/, '$1 min').toLowerCase();
}

/** A figure formatted for its kind: bytes, ratios, shares, plain counts. */
export function figure(key: string, v: number): string {
  if (/bytes/i.test(key)) return formatBytes(v);
  if (/ratio/i.test(key)) return `${v.toFixed(1)}×`;
  if (/share/i.test(key)) return `${Math.round(v * 100)}%`;
  return Number.isInteger(v) ? count(v) : v.toFixed(1);
}

function comparison(f: Finding): Line[] {
  const { observed, expected } = f.evidence;
  return Object.entries(observed).map(([key, v]) => {
    const e = expected[key];
    const line: Line = [`${words(key)}: `, bold(figure(key, v))];
    if (e !== undefined) line.push(` (expected ~${figure(key, e)}${e > 0 && !/ratio|share/i.test(key) ? `, ${(v / e).toFixed(1)}× usual` : ''})`);
    return line;
  });
}

/** `label: NEW a, b, c and 3 more` on one line, first-seen values flagged. */
function seen(label: string, values: readonly string[], fresh: readonly string[] | undefined, max = MAX_LIST): Line {
  const isNew = new Set(fresh ?? []);
  const line: Line = [`${label}: `];
  values.slice(0, max).forEach((v, i) => line.push(...(i ? [', '] : []), ...(isNew.has(v) ? [badge('NEW'), ' '] : []), code(v)));
  if (values.length > max) line.push(italic(` and ${count(values.length - max)} more`));
  return line;
}

function baselineText(f: Finding): string {
  const b = f.evidence.baseline;
  return b.learning ? `still learning (${b.days} day(s) of history): compared with peers` : `${b.days} day(s) of history${b.since ? ` since ${b.since.slice(0, 10)}` : ''}`;
}

/** The outcome line that replaces the buttons once someone decided. */
export function decisionLine(d: DecisionView): Line {
  const verb = d.status === 'benign' ? '✅ Marked benign' : '🚨 Escalated';
  const line: Line = [bold(verb), ' by ', { user: d.by }, ` at ${utcTime(d.at)}: `, italic(d.reason)];
  if (d.scope) line.push(` (suppressed for ${d.scope}${d.expiresAt ? ` until ${utcTime(d.expiresAt)}` : ', no expiry'})`);
  return line;
}

/** Who, what, how much, from where, when: the sections every finding card and escalation share. */
function explanation(v: FindingView): CardBlock[] {
  const f = v.finding;
  const ev = f.evidence;
  const hourly = v.hourly.ops;
  const blocks: CardBlock[] = [
    { kind: 'text', lines: [[f.summary]] },
    {
      kind: 'fields', fields: [
        { label: 'Who', value: [bold(f.principal.name)] },
        { label: 'Identity type', value: [f.principal.type] },
        { label: 'Account', value: [`${f.cloud.toUpperCase()} `, code(f.account)] },
        { label: 'Local time', value: [v.local.label, v.local.inBusinessHours ? '' : ' (outside business hours)'] },
        { label: 'UTC', value: [`${utcTime(f.start)} to ${utcTime(f.end).slice(11)}`] },
        { label: 'Baseline', value: [baselineText(f)] },
        { label: 'Status', value: [f.status] },
        { label: 'Seen', value: [`${count(f.occurrences)} time(s)`] },
      ],
    },
  ];
  const what: Line[] = [];
  if (v.actions.length) what.push(['Actions: ', v.actions.slice(0, MAX_LIST).map((a) => `${a.name} ${count(a.count)}`).join(', ')]);
  if (ev.buckets.length) what.push(seen('Buckets', ev.buckets, ev.firstSeen.buckets));
  if (ev.sampleKeys.length) what.push(['Sample objects:'], ...listLines(ev.sampleKeys, 5, (k) => [code(k)]));
  if (what.length) blocks.push({ kind: 'text', title: 'What', lines: what });
  const much = comparison(f);
  if (hourly.some((n) => n > 0)) much.push(['Requests per hour, last 24 h: ', code(sparkline(hourly)), ` (peak ${count(Math.max(...hourly))})`]);
  if (much.length) blocks.push({ kind: 'text', title: 'How much', lines: much });
  const where: Line[] = [];
  if (ev.ips.length) where.push(seen('Source IPs', ev.ips, ev.firstSeen.ips));
  if (ev.firstSeen.networks?.length) where.push(['New networks: ', ev.firstSeen.networks.slice(0, MAX_LIST).join(', ')]);
  if (ev.clients.length) where.push(seen('Clients', ev.clients, ev.firstSeen.clients, 5));
  if (where.length) blocks.push({ kind: 'text', title: 'From where', lines: where });
  if (ev.severityReason) blocks.push({ kind: 'text', title: 'Why this severity', lines: [[ev.severityReason]] });
  const context: Line[] = [['Identity id: ', code(f.principal.id)], [`Finding ${f.id} · detector ${f.detector}${f.scope ? ` · scope ${f.scope}` : ''}`]];
  if (v.links.length) context.unshift(v.links.flatMap((l, i) => (i ? [' · ', link(l.label, l.url)] : [link(l.label, l.url)])));
  blocks.push({ kind: 'context', lines: context });
  return blocks;
}

/** The alert card: the explanation, then the triage buttons or, once decided, the outcome. */
export function findingCard(v: FindingView): Card {
  const f = v.finding;
  const blocks = explanation(v);
  blocks.push({ kind: 'divider' });
  if (v.decision) blocks.push({ kind: 'text', lines: [decisionLine(v.decision)] });
  else if (f.status === 'open') {
    blocks.push({
      kind: 'actions', buttons: [
        { action: 'benign', label: 'Benign', findingId: f.id, style: 'primary' },
        { action: 'escalate', label: 'Escalate', findingId: f.id, style: 'danger' },
        { action: 'details', label: 'Details', findingId: f.id },
      ],
    });
  } else blocks.push({ kind: 'text', lines: [[`Status: ${f.status}`]] });
  return { title: `${f.severity.toUpperCase()} · ${f.title}`, tone: f.severity, blocks, summary: `[${f.severity}] ${f.principal.name}: ${f.title}` };
}

/** The thread reply announcing that a grouped finding fired again. */
export function repeatCard(v: FindingView, previous: number): Card {
  const f = v.finding;
  const lines: Line[] = [
    [bold(`Seen again: ${count(f.occurrences)} occurrence(s)`), ` (+${count(f.occurrences - previous)}), activity now until ${utcTime(f.end)}, severity ${f.severity}`],
    ...comparison(f),
  ];
  return { title: `Repeat · ${f.title}`, tone: f.severity, blocks: [{ kind: 'text', lines }], summary: `${f.title}: seen ${f.occurrences} times` };
}

/** The escalation notice: who escalated and why, a link to the original card, and the explanation. */
export function escalationCard(v: FindingView, permalink?: string): Card {
  const f = v.finding;
  const blocks: CardBlock[] = [];
  if (v.decision) blocks.push({ kind: 'text', lines: [decisionLine(v.decision)] });
  if (permalink) blocks.push({ kind: 'text', lines: [[link('Open the alert', permalink)]] });
  blocks.push(...explanation(v));
  return { title: `Escalated · ${f.severity.toUpperCase()} · ${f.title}`, tone: f.severity, blocks, summary: `Escalated: [${f.severity}] ${f.principal.name}: ${f.title}` };
}

/** The full evidence of a finding, for the Details thread reply. */
export function detailsCard(f: Finding): Card {
  const ev = f.evidence;
  const all = (title: string, values: readonly string[], fresh?: readonly string[]): CardBlock[] =>
    values.length ? [{ kind: 'text', title: `${title} (${values.length})`, lines: listLines(values, 40, (x) => (fresh?.includes(x) ? [badge('NEW'), ' ', code(x)] : [code(x)])) }] : [];
  const expectedOnly = Object.keys(ev.expected).filter((k) => !(k in ev.observed));
  return {
    title: `Details · ${f.title}`,
    tone: f.severity,
    summary: `Evidence of finding ${f.id}`,
    blocks: [
      { kind: 'text', lines: [[f.summary]] },
      { kind: 'text', title: 'Observed vs expected', lines: [...comparison(f), ...expectedOnly.map((k): Line => [`${words(k)}: expected ~${figure(k, ev.expected[k]!)}`])] },
      { kind: 'text', title: 'Baseline', lines: [[baselineText(f)]] },
      ...all('Buckets', ev.buckets, ev.firstSeen.buckets),
      ...all('Sample objects', ev.sampleKeys),
      ...all('Source IPs', ev.ips, ev.firstSeen.ips),
      ...all('New networks', ev.firstSeen.networks ?? []),
      ...all('Clients', ev.clients, ev.firstSeen.clients),
      { kind: 'text', title: 'Why this severity', lines: [[ev.severityReason || 'not stated']] },
      { kind: 'context', lines: [[`Finding ${f.id} · detector ${f.detector} · scope ${f.scope || 'identity'} · ${utcTime(f.start)} to ${utcTime(f.end)}`], ['Identity id: ', code(f.principal.id)]] },
    ],
  };
}
