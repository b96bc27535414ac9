/** A row as the database returns it. */
export type Row = Record<string, unknown>;

/** The one query interface every store module uses; PGlite and node-postgres both satisfy it. */
export interface Sql {
  /** Which engine is behind it. */
  readonly engine: 'pglite' | 'postgres';
  /** Runs one parameterised statement ($1, $2, ...) and returns its rows. */
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements separated by semicolons, without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Loads rows into a table with COPY: `text` is COPY's text format (tab-separated, one row a line). */
  copyFrom(table: string, columns: readonly string[], text: string): Promise<void>;
  /** Runs fn inside one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Releases the connection(s). */
  close(): Promise<void>;
}
