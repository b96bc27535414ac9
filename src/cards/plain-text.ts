import { visibleText, type Card, type CardBlock, type Line, type Span } from '../core/card.js';

function spanText(s: Span): string {
  if (typeof s === 'string') return visibleText(s, 2000);
  if ('user' in s) return visibleText(s.user, 200);
  if ('url' in s) return `${visibleText(s.text, 400)} (${s.url})`;
  return s.style === 'badge' ? `[${visibleText(s.text, 40)}]` : visibleText(s.text, 2000);
}

/** One card line as terminal text: spans side by side, control characters shown as codes. */
export function lineText(line: Line): string {
  return line.map(spanText).join('');
}

function blockLines(b: CardBlock): string[] {
  switch (b.kind) {
    case 'text':
      return [...(b.title ? [`  ${visibleText(b.title, 200)}:`] : []), ...b.lines.map((l) => `${b.title ? '    ' : '  '}${lineText(l)}`)];
    case 'fields':
      return b.fields.map((f) => `  ${visibleText(f.label, 200)}: ${lineText(f.value)}`);
    case 'context':
      return b.lines.map((l) => `  ${lineText(l)}`);
    case 'divider':
      return [''];
    case 'actions':
      return [];
  }
}

/** A neutral card as plain terminal text (the CLI's who and baseline): the title, then each block indented; buttons left out. */
export function plainText(card: Card): string {
  return [visibleText(card.title, 400), ...card.blocks.flatMap(blockLines)].join('\n');
}
