import type { types } from '@slack/bolt';
import { clipText, visibleText, type Card, type CardBlock, type CardTone, type Line, type Span } from '../../core/card.js';
import type { DecisionForm } from '../handle-action.js';

/** Block Kit limits (https://docs.slack.dev/reference/block-kit): exceeding any makes Slack reject the whole message. */
export const SLACK_LIMITS = {
  blocks: 50, sectionText: 3000, fields: 10, fieldText: 2000, header: 150, buttonText: 75, buttonValue: 2000,
  contextElements: 10, contextText: 2000, fallbackText: 3000, modalTitle: 24, optionText: 75, inputLabel: 2000, privateMetadata: 3000,
} as const;

/** Longest untrusted run shown inside a card (object keys, user agents): long enough to read, short enough to keep the card usable. */
const MAX_SPAN = 500;

/** Action ids of the card buttons; the value of each is the finding id and nothing else. */
export const ACTION_IDS = { benign: 'storage_watch_benign', escalate: 'storage_watch_escalate', details: 'storage_watch_details' } as const;
/** Callback ids of the decision modals. */
export const VIEW_IDS = { benign: 'storage_watch_benign_form', escalate: 'storage_watch_escalate_form' } as const;

const TONE_EMOJI: Record<CardTone, string> = {
  critical: '🔴', high: '🟠', medium: '🟡', low: '⚪', info: 'ℹ️', good: '✅',
};

/**
 * Untrusted text made safe for mrkdwn: `&`, `<` and `>` escaped, so it cannot mention anyone (`<@U1>`,
 * `<!channel>`) or show a link whose text differs from its target (`<https://evil|click>`).
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts rendered mrkdwn to `max` characters without leaving half an entity, half a `<link|text>` or half a surrogate pair. */
export function clipMrkdwn(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  const lt = cut.lastIndexOf('<');
  if (lt > cut.lastIndexOf('>')) cut = cut.slice(0, lt);
  const amp = cut.lastIndexOf('&');
  if (amp > cut.lastIndexOf(';')) cut = cut.slice(0, amp);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

const safe = (t: string): string => escapeMrkdwn(visibleText(t, MAX_SPAN));

/** Only http(s) links, with the characters that would end Slack's `<url|text>` syntax percent-encoded. */
function safeUrl(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/[|<> "\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** One span as mrkdwn. */
export function renderSpan(span: Span): string {
  if (typeof span === 'string') return safe(span);
  if ('user' in span) {
    const id = /^slack:([UW][A-Z0-9]+)$/.exec(span.user)?.[1];
    return id ? `<@${id}>` : safe(span.user);
  }
  if ('url' in span) {
    const url = safeUrl(span.url);
    return url ? `<${url}|${safe(span.text)}>` : safe(span.text);
  }
  const text = safe(span.text);
  if (!text.trim()) return text;
  switch (span.style) {
    case 'bold': return `*${text}*`;
    case 'italic': return `_${text}_`;
    case 'badge': return `*[${text}]*`;
    case 'code': return `\`${text.replace(/`/g, 'ˋ')}\``;
  }
}

/** A line as mrkdwn. */
export function renderLine(line: Line): string {
  return line.map(renderSpan).join('');
}

/** Lines joined under a limit: whole lines while they fit, then a note of how many were left out. */
function joinLines(lines: readonly string[], max: number): string {
  const joined = lines.join('\n');
  if (joined.length <= max) return joined;
  const reserve = 40;
  let out = '';
  let i = 0;
  for (; i < lines.length; i++) {
    const next = i ? `${out}\n${lines[i]}` : lines[i]!;
    if (next.length > max - reserve) break;
    out = next;
  }
  if (!i) {
    out = clipMrkdwn(lines[0]!, max - reserve);
    i = 1;
  }
  return i < lines.length ? `${out}\n_… ${lines.length - i} more line(s)_` : out;
}

const mrkdwn = (text: string, max: number): types.MrkdwnElement => ({ type: 'mrkdwn', text: clipMrkdwn(text || ' ', max), verbatim: true });
// plain_text is shown literally (entities would appear as `&lt;`), so angle brackets become look-alikes instead:
// no `<!here>` sequence reaches Slack in any field, whatever a client later does with it.
const plain = (text: string, max: number): types.PlainTextElement => ({
  type: 'plain_text', text: clipText(visibleText(text, max).replace(/</g, '‹').replace(/>/g, '›') || ' ', max), emoji: true,
});

function renderBlock(b: CardBlock): types.KnownBlock[] {
  switch (b.kind) {
    case 'divider':
      return [{ type: 'divider' }];
    case 'text': {
      const lines = [...(b.title ? [`*${safe(b.title)}*`] : []), ...b.lines.map(renderLine)];
      return [{ type: 'section', text: mrkdwn(joinLines(lines, SLACK_LIMITS.sectionText), SLACK_LIMITS.sectionText) }];
    }
    case 'fields': {
      const out: types.KnownBlock[] = [];
      for (let i = 0; i < b.fields.length; i += SLACK_LIMITS.fields) {
        out.push({
          type: 'section',
          fields: b.fields.slice(i, i + SLACK_LIMITS.fields).map((f) => mrkdwn(`*${safe(f.label)}*\n${renderLine(f.value)}`, SLACK_LIMITS.fieldText)),
        });
      }
      return out;
    }
    case 'context':
      return b.lines.length ? [{ type: 'context', elements: b.lines.slice(0, SLACK_LIMITS.contextElements).map((l) => mrkdwn(renderLine(l), SLACK_LIMITS.contextText)) }] : [];
    case 'actions':
      return [{
        type: 'actions',
        elements: b.buttons.map((btn): types.Button => ({
          type: 'button', action_id: ACTION_IDS[btn.action], text: plain(btn.label, SLACK_LIMITS.buttonText),
          value: btn.findingId.slice(0, SLACK_LIMITS.buttonValue), ...(btn.style ? { style: btn.style } : {}),
        })),
      }];
  }
}

/** Blocks cut to Slack's per-message limit, keeping the buttons and saying how much was left out. */
function fitBlocks(blocks: types.KnownBlock[], max: number): types.KnownBlock[] {
  if (blocks.length <= max) return blocks;
  const actions = blocks.filter((b) => b.type === 'actions');
  const rest = blocks.filter((b) => b.type !== 'actions');
  const kept = rest.slice(0, max - 1 - actions.length);
  const note: types.KnownBlock = { type: 'context', elements: [mrkdwn(`_… ${rest.length - kept.length} more block(s) not shown_`, SLACK_LIMITS.contextText)] };
  return [...kept, note, ...actions];
}

/** A neutral card as a Block Kit message (`text` is the notification fallback). */
export function renderCard(card: Card, maxBlocks: number = SLACK_LIMITS.blocks): { text: string; blocks: types.KnownBlock[] } {
  const header: types.KnownBlock = { type: 'header', text: plain(`${TONE_EMOJI[card.tone]} ${visibleText(card.title, 400)}`, SLACK_LIMITS.header) };
  return {
    text: clipMrkdwn(safe(card.summary), SLACK_LIMITS.fallbackText),
    blocks: fitBlocks([header, ...card.blocks.flatMap(renderBlock)], maxBlocks),
  };
}

/** What a decision modal carries back on submission: the finding id, and where the card was clicked (for replies only). */
export interface FormMetadata {
  findingId: string;
  channel?: string;
  ts?: string;
}

/** The benign or escalate modal for a finding. */
export function renderForm(form: DecisionForm, meta: FormMetadata): types.ModalView {
  const benign = form.action === 'benign';
  const f = form.finding;
  const option = (o: { value: string; label: string }): types.PlainTextOption => ({ text: plain(o.label, SLACK_LIMITS.optionText), value: o.value });
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: mrkdwn(`*${safe(`[${f.severity}] ${f.title}`)}*\n${safe(f.principal)}`, SLACK_LIMITS.sectionText) },
    {
      type: 'input', block_id: 'reason', label: plain(benign ? 'Why is this benign?' : 'Why escalate?', SLACK_LIMITS.inputLabel),
      element: { type: 'plain_text_input', action_id: 'value', multiline: true, min_length: 3, max_length: 1000 },
    },
  ];
  if (benign) {
    blocks.push(
      {
        type: 'input', block_id: 'scope', label: plain('Suppress similar alerts for', SLACK_LIMITS.inputLabel),
        element: { type: 'radio_buttons', action_id: 'value', options: form.scopes.map(option), initial_option: option(form.scopes[0]!) },
      },
      {
        type: 'input', block_id: 'expiry', label: plain('For how long', SLACK_LIMITS.inputLabel),
        element: { type: 'static_select', action_id: 'value', options: form.expiries.map(option), initial_option: option(form.expiries.find((e) => e.value === '7d') ?? form.expiries[0]!) },
      },
    );
  }
  return {
    type: 'modal', callback_id: benign ? VIEW_IDS.benign : VIEW_IDS.escalate,
    private_metadata: JSON.stringify(meta).slice(0, SLACK_LIMITS.privateMetadata),
    title: plain(benign ? 'Mark benign' : 'Escalate', SLACK_LIMITS.modalTitle),
    submit: plain(benign ? 'Mark benign' : 'Escalate', SLACK_LIMITS.modalTitle),
    close: plain('Cancel', SLACK_LIMITS.modalTitle),
    blocks,
  };
}
