import { describe, expect, it } from 'vitest';
import { detailsCard, findingCard, type FindingView } from '../../src/cards/finding-card.js';
import { renderAdaptiveCard, renderForm, MAX_CARD_BYTES } from '../../src/chat/teams/render.js';
import type { Finding } from '../../src/core/finding.js';
import { bulkDraft, evidence, person } from './chat-fixtures.js';

type Events = { eventCount: number; getEventAt(i: number): { message: string } };
/** The Adaptive Cards JavaScript library (the renderer Microsoft ships) used as a linter: parse and validate, collect every complaint. */
const AC = (await import('adaptivecards')) as unknown as {
  AdaptiveCard: new () => { parse(json: unknown, ctx: Events): void; validateProperties(): { validationEvents: { message: string }[] }; version?: { toString(): string } };
  SerializationContext: new () => Events;
};

function lint(json: unknown): { version?: string; problems: string[] } {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(json, ctx);
  const problems = [...Array.from({ length: ctx.eventCount }, (_, i) => ctx.getEventAt(i).message), ...card.validateProperties().validationEvents.map((e) => e.message)];
  return { version: card.version?.toString(), problems };
}

const LONG = 'k'.repeat(12_000);
const HOSTILE = ['<at>Security Team</at>', 'ad\u200Bmin', 'invoice\u202Efdp.exe', '**bold** [click](https://evil.example)', '<AT id="0">ceo</at>', '# Heading', 'a&b<c>d', 'line1\nStatus: benign', LONG];

function hostileFinding(): Finding {
  const who = person('<at>Admins</at> [x](https://evil.example)');
  const draft = bulkDraft(Date.UTC(2025, 2, 4, 3, 40), {
    title: `Bulk download by <at>everyone</at> ${LONG}`, summary: `read [your files](https://evil.example) **now**`,
    evidence: evidence({
      sampleKeys: HOSTILE.map((k) => `finance/${k}`), buckets: HOSTILE.slice(0, 4), clients: HOSTILE.map((c) => `curl/${c}`),
      severityReason: '<at>everyone</at> now', observed: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`figure${i}`, i * 1000])),
    }),
  });
  return { ...draft, id: 'f00dfeed0001', identity: who.key, cloud: who.cloud, account: who.account, principal: who.principal, status: 'open', occurrences: 3 };
}

function viewOf(f: Finding): FindingView {
  return {
    finding: f, hourly: { from: f.end - 23 * 3_600_000, ops: Array.from({ length: 24 }, (_, i) => (i === 23 ? 5200 : 10)) },
    actions: [{ name: 'GetObject', count: 5200 }], local: { label: 'Tue 03:40 UTC', inBusinessHours: false },
    links: [{ label: 'CloudTrail event history', url: 'https://us-east-1.console.aws.amazon.com/cloudtrailv2/home' }, { label: 'evil', url: 'javascript:alert(1)' }],
  };
}

/** Every element of a card with its type, depth first. */
function elements(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) v.forEach((x) => elements(x, out));
  else if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    Object.values(v).forEach((x) => elements(x, out));
  }
  return out;
}

describe('Adaptive Cards for Teams', () => {
  for (const [name, card] of [['alert', findingCard(viewOf(hostileFinding()))], ['details', detailsCard(hostileFinding())]] as const) {
    it(`keeps attacker text as text in the ${name} card: TextRuns only, no Markdown TextBlock, no mention, under 28 KB`, () => {
      const rendered = renderAdaptiveCard(card);
      const json = JSON.stringify(rendered);
      expect(rendered.version).toBe('1.5');
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_CARD_BYTES);
      const all = elements(rendered);
      // No mention entities, and no "<at>" that a client could pair with one.
      expect(json).not.toMatch(/<\/?at\b/i);
      expect(all.some((e) => e.type === 'mention' || 'entities' in e)).toBe(false);
      // Text that may come from logs sits in TextRuns; the only TextBlocks are ours: dividers and the "more not shown" note.
      expect(all.filter((e) => e.type === 'TextBlock').every((e) => e.text === ' ' || /^… \d+ more section\(s\) not shown$/.test(String(e.text)))).toBe(true);
      expect(all.some((e) => e.type === 'FactSet')).toBe(false);
      expect(json).not.toContain('javascript:');
      // The details card spends its 28 KB on the 400 figures first; the alert card shows the buckets.
      if (name === 'alert') expect(json).toContain('ad[U+200B]min');
      if (name === 'alert') expect(json).toContain('[U+202E]');
      const runs = all.filter((e) => e.type === 'TextRun').map((e) => String(e.text));
      expect(runs.every((t) => !t.includes('\n'))).toBe(true);
      if (name === 'alert') expect(runs.some((t) => t.includes('**bold** [click](https://evil.example)'))).toBe(true);
    });
  }

  it('renders cards the Adaptive Cards library parses as version 1.5 without a single complaint', () => {
    const form = renderForm({
      action: 'benign', finding: { id: 'f1', title: 'x', severity: 'high', principal: 'alice' },
      scopes: [{ value: 'ip', label: 'This IP' }], expiries: [{ value: '7d', label: '7 days' }],
    });
    for (const json of [renderAdaptiveCard(findingCard(viewOf(hostileFinding()))), renderAdaptiveCard(detailsCard(hostileFinding())), form]) {
      expect(lint(json)).toEqual({ version: '1.5', problems: [] });
    }
  });

  it('keeps the buttons as Action.Execute with only the finding id in their data, even when the card had to be cut', () => {
    const rendered = renderAdaptiveCard(findingCard(viewOf(hostileFinding())));
    expect(rendered.actions).toEqual([
      { type: 'Action.Execute', title: 'Benign', verb: 'storage_watch_benign', data: { findingId: 'f00dfeed0001' }, style: 'positive' },
      { type: 'Action.Execute', title: 'Escalate', verb: 'storage_watch_escalate', data: { findingId: 'f00dfeed0001' }, style: 'destructive' },
      { type: 'Action.Execute', title: 'Details', verb: 'storage_watch_details', data: { findingId: 'f00dfeed0001' } },
    ]);
    expect(JSON.stringify(rendered)).toMatch(/more section\(s\) not shown/);
  });

  it('renders the benign form with reason, scope and expiry inputs and an Action.Execute confirmation', () => {
    const form = renderForm({
      action: 'benign', finding: { id: 'f1', title: '<at>x</at>', severity: 'high', principal: 'alice' },
      scopes: [{ value: 'ip', label: 'This IP (203.0.113.9)' }, { value: 'identity', label: 'This identity' }], expiries: [{ value: '1d', label: '1 day' }, { value: '7d', label: '7 days' }],
    });
    const inputs = elements(form).filter((e) => String(e.type).startsWith('Input.'));
    expect(inputs.map((i) => [i.type, i.id])).toEqual([['Input.Text', 'reason'], ['Input.ChoiceSet', 'scope'], ['Input.ChoiceSet', 'expiry']]);
    expect(inputs[2]!.value).toBe('7d');
    expect(form.actions![0]).toMatchObject({ type: 'Action.Execute', verb: 'storage_watch_benign_confirm', data: { findingId: 'f1' } });
    expect(JSON.stringify(form)).not.toMatch(/<at\b/i);
  });
});
