/** The little SQL a store needs, so one store serves SQLite and D1. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

export interface SqlDatabase {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  first<T>(sql: string, params?: unknown[]): Promise<T | null>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs the statements in one transaction; returns each one's count of changed rows. */
  batch(statements: SqlStatement[]): Promise<number[]>;
}
