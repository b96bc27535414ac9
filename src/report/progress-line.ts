/** A single self-overwriting status line on a terminal's stderr; silent when stderr is not a terminal. */
export class ProgressLine {
  private last = '';
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** Shows text in place of the previous status. */
  update(text: string): void {
    if (!this.stream.isTTY || text === this.last) return;
    this.last = text;
    this.stream.write(`\r\x1b[K${text}`);
  }

  /** Clears the line. */
  done(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\r\x1b[K');
    this.last = '';
  }
}
