import { describe, expect, it } from 'vitest';
import { renderCard, renderForm, escapeMrkdwn, SLACK_LIMITS } from '../../src/chat/slack/render.js';
import { visibleText, type Card } from '../../src/core/card.js';
import { detailsCard, findingCard, type FindingView } from '../../src/cards/finding-card.js';
import type { Finding } from '../../src/core/finding.js';
import { blockProblems, viewProblems } from '../fakes/block-kit-limits.js';
import { bulkDraft, evidence, person } from './chat-fixtures.js';

const LONG = 'k'.repeat(12_000);
const EMOJI = '😀🎉👨‍👩‍👧'.repeat(900);
const HOSTILE = ['<!channel>', '<!here|here>', '<@U123>', '<https://evil.example|click>', '<#C0GENERAL>', 'a&b<c>d', 'ad\u200Bmin', 'invoice\u202Efdp.exe', 'line1\nStatus: benign', LONG, EMOJI];

function hostileFinding(): Finding {
  const who = person('<!channel> <@U999> ad\u200Bmin');
  const draft = bulkDraft(Date.UTC(2025, 2, 4, 3, 40), {
    title: `Bulk download by <!here> ${LONG}`, summary: `read <https://evil.example|your files> ${EMOJI}`,
    evidence: evidence({
      sampleKeys: HOSTILE.map((k) => `finance/${k}`), buckets: HOSTILE.slice(0, 4), ips: ['203.0.113.50', '<@U0ADMIN>'],
      clients: HOSTILE.map((c) => `curl/${c}`), firstSeen: { ips: ['<@U0ADMIN>'], clients: [`curl/${HOSTILE[0]}`] }, severityReason: '<!everyone> now',
      observed: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`figure${i}`, i * 1000])),
    }),
  });
  return {
    ...draft, id: 'f00dfeed0001', identity: who.key, cloud: who.cloud, account: who.account, principal: who.principal, status: 'open', occurrences: 3,
  };
}

function viewOf(f: Finding): FindingView {
  return {
    finding: f, hourly: { from: f.end - 23 * 3_600_000, ops: Array.from({ length: 24 }, (_, i) => (i === 23 ? 5200 : 10)) },
    actions: [{ name: 'GetObject', count: 5200 }, { name: '<!channel>', count: 1 }], local: { label: 'Tue 03:40 UTC', inBusinessHours: false },
    links: [{ label: 'CloudTrail event history', url: 'https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events?Username=a%3Cb' }],
  };
}

/** Every mrkdwn or plain text string in the rendered message. */
function texts(rendered: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(rendered);
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function expectSafe(rendered: { text: string; blocks: unknown[] }): void {
  const all = [rendered.text, ...texts(rendered.blocks)];
  const json = JSON.stringify(rendered);
  for (const t of all) {
    // The only `<...>` constructs allowed are our own links to https consoles and our own user mentions.
    for (const m of t.matchAll(/<([^>]*)>/g)) expect(m[1]).toMatch(/^(https:\/\/[^|<>]+\|[^<>]*|@U0RESP1)$/);
    expect(t).not.toMatch(LONE_SURROGATE);
    expect(t).not.toMatch(/\u200B|\u202E/);
  }
  expect(json).not.toContain('<!channel>');
  expect(json).not.toContain('<!here');
  expect(json).not.toContain('<@U123>');
  expect(json).not.toContain('<https://evil');
  expect(blockProblems(rendered.blocks, SLACK_LIMITS.blocks)).toEqual([]);
}

describe('Block Kit rendering', () => {
  it('escapes &, < and > so text cannot mention anyone or fake a link', () => {
    expect(escapeMrkdwn('<!channel> <@U1> <https://evil|click> a&b')).toBe('&lt;!channel&gt; &lt;@U1&gt; &lt;https://evil|click&gt; a&amp;b');
    expect(visibleText('ad\u200Bmin\u202Efdp.exe\nnext\tcol')).toBe('ad[U+200B]min[U+202E]fdp.exe next col');
    expect(visibleText('👨‍👩‍👧')).toBe('👨‍👩‍👧');
  });

  it('renders a finding full of hostile keys, user agents and names within every Slack limit, all of it escaped', () => {
    const f = hostileFinding();
    const rendered = renderCard(findingCard(viewOf(f)));
    expectSafe(rendered);
    const json = JSON.stringify(rendered);
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('&lt;https://evil.example|click&gt;');
    expect(json).toContain('ad[U+200B]min');
    expect(json).toContain('_and 6 more_');
    const header = rendered.blocks[0] as { type: string; text: { text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(header.text.text).toMatch(/^🟠 HIGH · Bulk download by ‹!here› k+…$/);
    const buttons = rendered.blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value: string; text: { text: string } }[] };
    expect(buttons.elements.map((e) => [e.action_id, e.value, e.text.text])).toEqual([
      ['storage_watch_benign', 'f00dfeed0001', 'Benign'], ['storage_watch_escalate', 'f00dfeed0001', 'Escalate'], ['storage_watch_details', 'f00dfeed0001', 'Details'],
    ]);
  });

  it('keeps the details reply and the decided card within the limits, with the decider as the only mention', () => {
    const f = hostileFinding();
    const details = renderCard(detailsCard(f));
    expectSafe(details);
    expect(JSON.stringify(details)).toContain('invoice[U+202E]fdp.exe');
    expect(JSON.stringify(details)).toContain('finance/line1 Status: benign');
    const decided = renderCard(findingCard({ ...viewOf({ ...f, status: 'benign' }), decision: { status: 'benign', by: 'slack:U0RESP1', at: f.end, reason: '<!channel> it was the <@U123> backup', scope: 'this IP <@U9>', expiresAt: f.end + 86_400_000 } }));
    expectSafe(decided);
    expect(decided.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(decided)).toContain('Marked benign* by <@U0RESP1>');
  });

  it('cuts a card with too many blocks to 50, says so, and keeps the buttons', () => {
    const card: Card = {
      title: 'many', tone: 'info', summary: 'many',
      blocks: [...Array.from({ length: 80 }, (_, i) => ({ kind: 'text' as const, lines: [[`block ${i}`]] })), { kind: 'actions', buttons: [{ action: 'details', label: 'Details', findingId: 'x1' }] }],
    };
    const { blocks } = renderCard(card);
    expect(blocks).toHaveLength(50);
    expect(blocks.at(-1)!.type).toBe('actions');
    expect(JSON.stringify(blocks.at(-2))).toMatch(/33 more block\(s\) not shown/);
    expect(blockProblems(blocks, 50)).toEqual([]);
  });

  it('builds benign and escalate modals Slack accepts, with the finding id as the only metadata', () => {
    const f = hostileFinding();
    const form = {
      finding: { id: f.id, title: f.title, severity: f.severity, principal: f.principal.name },
      scopes: [{ value: 'ip' as const, label: `This IP (${'<@U1>'.repeat(40)})` }, { value: 'detector' as const, label: 'This detector' }, { value: 'identity' as const, label: 'This identity' }],
      expiries: [{ value: '1d' as const, label: '1 day' }, { value: '7d' as const, label: '7 days' }, { value: '30d' as const, label: '30 days' }, { value: 'never' as const, label: 'Never' }],
    };
    const benign = renderForm({ ...form, action: 'benign' }, { findingId: f.id, channel: 'C0ALERTS', ts: '1.2' });
    expect(viewProblems(benign)).toEqual([]);
    expect(JSON.parse(benign.private_metadata!)).toEqual({ findingId: f.id, channel: 'C0ALERTS', ts: '1.2' });
    expect(benign.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['reason', 'scope', 'expiry']);
    const escalate = renderForm({ ...form, action: 'escalate' }, { findingId: f.id });
    expect(viewProblems(escalate)).toEqual([]);
    expect(escalate.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['reason']);
  });
});
