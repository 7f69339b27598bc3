import type { Store } from "../ports/store.js";
import type { SqlDatabase } from "./sql-database.js";
import { createSqlStore } from "./sql-store.js";

/** The queries (statements, a batch's each) sent to D1 so far: an invocation's budget is read from it. */
export interface QueryMeter {
  count: number;
}

/** Wraps a D1 binding as the SqlDatabase the store uses; `batch` is D1's own transaction. */
export function d1Database(d1: D1Database, meter: QueryMeter = { count: 0 }): SqlDatabase {
  const batchRows: SqlDatabase["batchRows"] = async (list) => {
    meter.count += list.length;
    const results = await d1.batch(list.map((s) => d1.prepare(s.sql).bind(...s.params)));
    return results.map((r) => ({ rows: r.results ?? [], changes: r.meta.changes }));
  };
  return {
    async all<T>(sql: string, params: unknown[] = []) {
      meter.count++;
      return (await d1.prepare(sql).bind(...params).all<T>()).results;
    },
    async first<T>(sql: string, params: unknown[] = []) {
      meter.count++;
      return (await d1.prepare(sql).bind(...params).first<T>()) ?? null;
    },
    async run(sql, params = []) {
      meter.count++;
      return (await d1.prepare(sql).bind(...params).run()).meta.changes;
    },
    async batch(list) {
      return (await batchRows(list)).map((r) => r.changes);
    },
    batchRows,
  };
}

/** The Workers store: D1, with migrations applied by `wrangler d1 migrations apply`. */
export function createD1Store(d1: D1Database, meter?: QueryMeter): Store {
  return createSqlStore(d1Database(d1, meter));
}
