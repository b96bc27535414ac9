/** One top-level JSON text cut out of concatenated JSON, with the line it starts on; it may not parse. */
export interface JsonPiece {
  text: string;
  line: number;
}

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === NEWLINE || c === 0x0d || c === 0x09 || c === 0xfeff;
}

/**
 * Cuts a stream of concatenated JSON texts (what `jq .`, copy-pastes and some exporters write: pretty-printed
 * objects one after another) into one text per top-level value, chunk by chunk, so a file of any size is read
 * with the memory of its largest value. It tracks only brackets and strings; JSON.parse judges each piece.
 *
 * A broken value does not swallow the ones after it: the piece ends where the next value visibly begins, that is
 * where a `{` or `[` cannot continue the broken one (after a complete member, or at the start of a line of a
 * value whose inner lines are indented, as every pretty-printer writes them), or, after a string broken by a line
 * end, at the next line that starts with `{` or `[`. Text between values is a piece of its own.
 */
export class ConcatenatedJsonScanner {
  private mode: 'between' | 'value' | 'skip' = 'between';
  private line = 1;
  private startLine = 1;
  private parts: string[] = [];
  private stack: number[] = [];
  private inString = false;
  private escaped = false;
  private lastSignificant = 0;
  private atLineStart = true;
  /** Whether a line inside the current value started flush left, so a line-start bracket proves nothing. */
  private flushLeft = false;

  /** True while a piece is begun but not complete. */
  get pending(): boolean {
    return this.mode !== 'between';
  }

  /** Feeds the next chunk of text; returns the pieces it completed. */
  push(chunk: string): JsonPiece[] {
    const out: JsonPiece[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.mode === 'between') {
        if (c === NEWLINE) this.newLine();
        else if (!isSpace(c)) {
          start = i;
          this.begin(c);
        }
        continue;
      }
      if (this.mode === 'skip') {
        if (c === NEWLINE) this.newLine();
        else {
          if (this.atLineStart && (c === OPEN_OBJECT || c === OPEN_ARRAY)) {
            out.push(this.cut(chunk, start, i));
            start = i;
            this.begin(c);
          }
          this.atLineStart = false;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          this.lastSignificant = QUOTE;
        } else if (c === NEWLINE) {
          // JSON strings hold no raw line ends: this value broke off mid-string; it runs on to the next value.
          this.mode = 'skip';
          this.inString = false;
          this.newLine();
        }
        continue;
      }
      const lineStart = this.atLineStart;
      if (c === NEWLINE) {
        this.newLine();
        continue;
      }
      this.atLineStart = false;
      if (isSpace(c)) continue;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if ((lineStart && !this.flushLeft) || !this.canOpenHere()) {
          out.push(this.cut(chunk, start, i));
          start = i;
          this.begin(c);
          continue;
        }
        this.stack.push(c);
        this.lastSignificant = c;
        continue;
      }
      if (lineStart) this.flushLeft = true;
      if (c === QUOTE) this.inString = true;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.stack.pop();
        this.lastSignificant = c;
        if (this.stack.length === 0) {
          out.push(this.cut(chunk, start, i + 1));
          this.mode = 'between';
        }
      } else this.lastSignificant = c;
    }
    if (this.mode !== 'between') this.parts.push(chunk.slice(start));
    return out;
  }

  /** Ends the input; returns the unfinished piece, if any (it does not parse). */
  end(): JsonPiece[] {
    if (this.mode === 'between') return [];
    const piece = { text: this.parts.join(''), line: this.startLine };
    this.parts = [];
    this.mode = 'between';
    return piece.text.trim() ? [piece] : [];
  }

  private begin(c: number): void {
    this.startLine = this.line;
    this.atLineStart = false;
    this.inString = false;
    this.escaped = false;
    this.flushLeft = false;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      this.mode = 'value';
      this.stack = [c];
      this.lastSignificant = c;
    } else this.mode = 'skip';
  }

  private cut(chunk: string, start: number, end: number): JsonPiece {
    this.parts.push(chunk.slice(start, end));
    const piece = { text: this.parts.join(''), line: this.startLine };
    this.parts = [];
    this.mode = 'between';
    return piece;
  }

  private newLine(): void {
    this.line++;
    this.atLineStart = true;
  }

  // In valid JSON a nested object or array follows `[` or `,` in an array, or `:` in an object.
  private canOpenHere(): boolean {
    const container = this.stack[this.stack.length - 1];
    const last = this.lastSignificant;
    return container === OPEN_ARRAY ? last === OPEN_ARRAY || last === COMMA : last === COLON;
  }
}

/** The top-level JSON texts of a whole string of concatenated JSON, with the lines they start on. */
export function splitConcatenatedJson(text: string): JsonPiece[] {
  const scanner = new ConcatenatedJsonScanner();
  return [...scanner.push(text), ...scanner.end()];
}
