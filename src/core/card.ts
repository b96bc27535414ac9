import type { Severity } from './finding.js';

/**
 * A run of text inside a card. A bare string, and the `text` of every other span, is shown exactly as
 * written: it may come from an attacker (object keys, user agents, principal names, reasons), so
 * renderers escape it and the model itself carries no markup at all.
 */
export type Span =
  | string
  | { text: string; style: 'bold' | 'italic' | 'code' | 'badge' }
  | { text: string; url: string }
  /** A chat user by platform reference (`slack:U0123ABC`); shown as a mention when the platform can, else as text. */
  | { user: string };

/** One line of a card: spans shown side by side. */
export type Line = Span[];

/** A labelled value, shown in a two-column grid. */
export interface CardField {
  label: string;
  value: Line;
}

/** What a button does; the platform adds the finding id. */
export type CardActionId = 'benign' | 'escalate' | 'details';

/** A button on a card: what it does and the finding it acts on (the only thing a click carries). */
export interface CardButton {
  action: CardActionId;
  label: string;
  findingId: string;
  style?: 'primary' | 'danger';
}

/** One block of a card, in display order. */
export type CardBlock =
  | { kind: 'text'; title?: string; lines: Line[] }
  | { kind: 'fields'; fields: CardField[] }
  | { kind: 'context'; lines: Line[] }
  | { kind: 'divider' }
  | { kind: 'actions'; buttons: CardButton[] };

/** How a card is coloured or flagged. */
export type CardTone = Severity | 'info' | 'good';

/** A platform-neutral message: Slack renders it as Block Kit, Teams as an Adaptive Card. */
export interface Card {
  /** Heading, plain text. */
  title: string;
  tone: CardTone;
  blocks: CardBlock[];
  /** One-line plain text for notifications and clients that cannot show the blocks. */
  summary: string;
}

/** Bold text. */
export const bold = (text: string): Span => ({ text, style: 'bold' });
/** Monospaced text (object keys, ids). */
export const code = (text: string): Span => ({ text, style: 'code' });
/** Italic text. */
export const italic = (text: string): Span => ({ text, style: 'italic' });
/** A small flag such as NEW. */
export const badge = (text: string): Span => ({ text, style: 'badge' });
/** A link with its visible text. */
export const link = (text: string, url: string): Span => ({ text, url });

// Bidi overrides and zero-width characters let a name or key pretend to be another one
// ("invoice\u202Efdp.exe", "ad\u200Bmin"): show them as visible codes. ZWJ (U+200D) is left alone because
// it joins emoji sequences.
const INVISIBLE = /(?!\u200D)[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * Untrusted text as it should be displayed on one line: line breaks and tabs become spaces, other
 * control and invisible formatting characters become `[U+200B]`-style codes, and the result is cut
 * to `max` characters (with an ellipsis) without splitting a surrogate pair.
 */
export function visibleText(raw: string, max = 500): string {
  const text = String(raw)
    .replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ')
    .replace(INVISIBLE, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
  return clipText(text, max);
}

/** Text cut to at most `max` UTF-16 units, ending in an ellipsis when cut, never splitting a surrogate pair. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Thousands-separated integer. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `2025-03-03 09:12 UTC`. */
export function utcTime(t: number): string {
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A list of values as lines, the first `max` of them and then "and N more". */
export function listLines<T>(items: readonly T[], max: number, line: (item: T) => Line): Line[] {
  const lines = items.slice(0, max).map(line);
  if (items.length > max) lines.push([italic(`and ${count(items.length - max)} more`)]);
  return lines;
}
