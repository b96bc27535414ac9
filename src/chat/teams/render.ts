import { clipText, visibleText, type Card, type CardBlock, type CardTone, type Line, type Span } from '../../core/card.js';
import type { DecisionForm } from '../handle-action.js';
import type { MessageMarker } from '../messenger.js';

/** Teams rejects a message whose card is larger than about 28 KB; stay under it with room for the envelope. */
export const MAX_CARD_BYTES = 27 * 1024;
/** Longest untrusted run shown inside a card (object keys, user agents). */
const MAX_SPAN = 500;

/** Universal Action verbs of the card buttons and form confirmations; `data` carries the finding id and nothing else. */
export const VERBS = {
  benign: 'storage_watch_benign', escalate: 'storage_watch_escalate', details: 'storage_watch_details',
  confirmBenign: 'storage_watch_benign_confirm', confirmEscalate: 'storage_watch_escalate_confirm', cancel: 'storage_watch_cancel',
} as const;

/** An Adaptive Card as JSON. */
export type AdaptiveCard = { type: 'AdaptiveCard'; version: '1.5'; body: Element[]; actions?: Element[] } & Record<string, unknown>;
type Element = Record<string, unknown>;

const TONE_COLOR: Record<CardTone, string> = { critical: 'attention', high: 'attention', medium: 'warning', low: 'default', info: 'accent', good: 'good' };
const TONE_STYLE: Record<CardTone, string> = { critical: 'attention', high: 'attention', medium: 'warning', low: 'emphasis', info: 'emphasis', good: 'good' };

/**
 * Untrusted text for a TextRun: shown on one line with invisible characters made visible, and `<at>` broken
 * with a word joiner so that no client can ever read it as a mention (the card carries no mention entities either).
 */
export function runText(raw: string, max = MAX_SPAN): string {
  return visibleText(raw, max).replace(/<(\/?at\b)/gi, '<\u2060$1');
}

const safeUrl = (url: string): string | undefined => (/^https?:\/\//i.test(url) ? url : undefined);

/** One span as a TextRun: no Markdown is interpreted inside a RichTextBlock, so text is shown exactly as written. */
function run(s: Span, names: ReadonlyMap<string, string>): Element {
  if (typeof s === 'string') return { type: 'TextRun', text: runText(s) };
  if ('user' in s) return { type: 'TextRun', text: runText(names.get(s.user) ?? s.user, 200), weight: 'Bolder' };
  if ('url' in s) {
    const url = safeUrl(s.url);
    return { type: 'TextRun', text: runText(s.text, 200), ...(url ? { selectAction: { type: 'Action.OpenUrl', url } } : {}) };
  }
  switch (s.style) {
    case 'bold':
      return { type: 'TextRun', text: runText(s.text), weight: 'Bolder' };
    case 'italic':
      return { type: 'TextRun', text: runText(s.text), italic: true };
    case 'code':
      return { type: 'TextRun', text: runText(s.text), fontType: 'Monospace' };
    case 'badge':
      return { type: 'TextRun', text: `[${runText(s.text, 40)}]`, weight: 'Bolder', color: 'attention' };
  }
}

function rich(line: Line, names: ReadonlyMap<string, string>, extra: Element = {}): Element {
  const inlines = line.filter((s) => s !== '').map((s) => run(s, names));
  return { type: 'RichTextBlock', inlines: inlines.length ? inlines : [{ type: 'TextRun', text: ' ' }], spacing: 'None', ...extra };
}

function renderBlock(b: CardBlock, names: ReadonlyMap<string, string>): Element[] {
  switch (b.kind) {
    case 'text':
      return [
        ...(b.title ? [rich([{ text: b.title, style: 'bold' }], names, { spacing: 'Medium' })] : []),
        ...b.lines.map((l, i) => rich(l, names, i || b.title ? {} : { spacing: 'Medium' })),
      ];
    case 'fields':
      // Not a FactSet: FactSet values are Markdown, and these values come from logs.
      return b.fields.map((f, i) => rich([{ text: `${f.label}: `, style: 'bold' }, ...f.value], names, i ? {} : { spacing: 'Medium' }));
    case 'context':
      return b.lines.map((l) => {
        const block = rich(l, names);
        return { ...block, inlines: (block.inlines as Element[]).map((r) => ({ ...r, isSubtle: true })) };
      });
    case 'divider':
      return [{ type: 'Container', separator: true, spacing: 'Medium', items: [{ type: 'TextBlock', text: ' ', size: 'Small' }] }];
    case 'actions':
      return [];
  }
}

function buttons(card: Card): Element[] {
  return card.blocks.flatMap((b) => (b.kind === 'actions' ? b.buttons : [])).map((btn) => ({
    type: 'Action.Execute', title: clipText(btn.label, 40), verb: VERBS[btn.action], data: { findingId: btn.findingId },
    ...(btn.style === 'primary' ? { style: 'positive' } : btn.style === 'danger' ? { style: 'destructive' } : {}),
  }));
}

const bytes = (card: AdaptiveCard): number => Buffer.byteLength(JSON.stringify(card), 'utf8');

/**
 * The element id that marks what a card shows (`storage-watch:card:<finding id>:<occurrences>`): invisible to
 * people, and returned by Graph with the card, so that the card can be found again after a crash.
 */
export function markerId(marker: MessageMarker): string {
  return `storage-watch:${marker.kind}:${marker.findingId}:${marker.occurrences}`;
}

/** A neutral card as an Adaptive Card 1.5 (Teams): untrusted text in TextRuns, buttons as Action.Execute, under 28 KB; the marker, if any, as the header's id. */
export function renderAdaptiveCard(card: Card, names: ReadonlyMap<string, string> = new Map(), marker?: MessageMarker): AdaptiveCard {
  const header: Element = {
    type: 'Container', ...(marker ? { id: markerId(marker) } : {}), style: TONE_STYLE[card.tone], bleed: true,
    items: [{ type: 'RichTextBlock', inlines: [{ ...run({ text: card.title, style: 'bold' }, names), size: 'Medium', color: TONE_COLOR[card.tone] }] }],
  };
  const rows = card.blocks.map((b) => renderBlock(b, names));
  const build = (kept: Element[][], left: number): AdaptiveCard => ({
    type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5',
    msteams: { width: 'Full' },
    body: [header, ...kept.flat(), ...(left ? [{ type: 'TextBlock', text: `… ${left} more section(s) not shown`, isSubtle: true, wrap: true }] : [])],
    actions: buttons(card),
    fallbackText: runText(card.summary, 300),
  });
  let kept = rows;
  let out = build(kept, 0);
  while (bytes(out) > MAX_CARD_BYTES && kept.length) {
    kept = kept.slice(0, -1);
    out = build(kept, rows.length - kept.length);
  }
  return out;
}

/** The benign or escalate form as a card for the person who clicked: reason, and for benign the scope and expiry; confirm is another Action.Execute. */
export function renderForm(form: DecisionForm, error?: string): AdaptiveCard {
  const benign = form.action === 'benign';
  const f = form.finding;
  const choices = (list: { value: string; label: string }[]): Element[] => list.map((o) => ({ title: clipText(o.label, 120), value: o.value }));
  const body: Element[] = [
    rich([{ text: benign ? 'Mark benign' : 'Escalate', style: 'bold' }], new Map()),
    rich([`[${f.severity}] `, f.title], new Map()),
    rich([{ text: f.principal, style: 'code' }], new Map()),
    ...(error ? [rich([{ text: error, style: 'italic' }], new Map(), { spacing: 'Medium' })] : []),
    { type: 'Input.Text', id: 'reason', label: benign ? 'Why is this benign?' : 'Why escalate?', isMultiline: true, isRequired: true, maxLength: 1000, errorMessage: 'A reason is required.' },
  ];
  if (benign) {
    body.push(
      { type: 'Input.ChoiceSet', id: 'scope', label: 'Suppress similar alerts for', style: 'expanded', isRequired: true, errorMessage: 'Choose what the decision covers.', value: form.scopes[0]?.value, choices: choices(form.scopes) },
      { type: 'Input.ChoiceSet', id: 'expiry', label: 'For how long', style: 'compact', isRequired: true, errorMessage: 'Choose how long it lasts.', value: form.expiries.some((e) => e.value === '7d') ? '7d' : form.expiries[0]?.value, choices: choices(form.expiries) },
    );
  }
  return {
    type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', msteams: { width: 'Full' }, body,
    actions: [
      { type: 'Action.Execute', title: benign ? 'Mark benign' : 'Escalate', verb: benign ? VERBS.confirmBenign : VERBS.confirmEscalate, data: { findingId: f.id }, style: benign ? 'positive' : 'destructive' },
      { type: 'Action.Execute', title: 'Cancel', verb: VERBS.cancel, data: { findingId: f.id }, associatedInputs: 'None' },
    ],
  };
}
