import type { Store } from "../ports/store.js";
import type { SqlDatabase } from "./sql-database.js";
import { createSqlStore } from "./sql-store.js";

/** Wraps a D1 binding as the SqlDatabase the store uses; `batch` is D1's own transaction. */
export function d1Database(d1: D1Database): SqlDatabase {
  return {
    async all<T>(sql: string, params: unknown[] = []) {
      return (await d1.prepare(sql).bind(...params).all<T>()).results;
    },
    async first<T>(sql: string, params: unknown[] = []) {
      return (await d1.prepare(sql).bind(...params).first<T>()) ?? null;
    },
    async run(sql, params = []) {
      return (await d1.prepare(sql).bind(...params).run()).meta.changes;
    },
    async batch(list) {
      const results = await d1.batch(list.map((s) => d1.prepare(s.sql).bind(...s.params)));
      return results.map((r) => r.meta.changes);
    },
  };
}

/** The Workers store: D1, with migrations applied by `wrangler d1 migrations apply`. */
export function createD1Store(d1: D1Database): Store {
  return createSqlStore(d1Database(d1));
}
