/** The little SQL a store needs, so one store serves SQLite and D1. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** What one statement of `batchRows` gave: the rows it read, or how many rows it changed. */
export interface StatementResult {
  rows: unknown[];
  changes: number;
}

export interface SqlDatabase {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  first<T>(sql: string, params?: unknown[]): Promise<T | null>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs the statements in one transaction; returns each one's count of changed rows. */
  batch(statements: SqlStatement[]): Promise<number[]>;
  /**
   * Runs the statements in one transaction, reads among them; returns each one's rows and changes.
   * On D1 it is one round trip, where the same statements one by one would each be one.
   */
  batchRows(statements: SqlStatement[]): Promise<StatementResult[]>;
  /**
   * Writes that may wait for the database's next call. On D1 they go in front of it, in its round
   * trip and its transaction, so a read or write after them sees them; if that call fails, or none
   * comes, they are lost. SQLite, where a call costs no round trip, writes them at once.
   */
  later(statements: SqlStatement[]): Promise<void>;
}
