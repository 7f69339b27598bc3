import type { Store } from "../ports/store.js";
import type { SqlDatabase, SqlStatement } from "./sql-database.js";
import { createSqlStore } from "./sql-store.js";

/** The queries (statements, a batch's each) sent to D1 so far: an invocation's budget is read from it. */
export interface QueryMeter {
  count: number;
}

/**
 * Wraps a D1 binding as the SqlDatabase the store uses; `batch` is D1's own transaction. Writes
 * left for `later` go in front of the next call's statements, as one batch: each saves a round trip.
 * They count against the meter when they are left, so a budget read in between sees them.
 */
export function d1Database(d1: D1Database, meter: QueryMeter = { count: 0 }): SqlDatabase {
  let held: SqlStatement[] = [];
  /** What is held, taken: a call that fails loses it, as `later` says. */
  const takeHeld = () => {
    const taken = held;
    held = [];
    return taken;
  };
  const send = async (list: SqlStatement[]) => {
    const results = await d1.batch(list.map((s) => d1.prepare(s.sql).bind(...s.params)));
    return results.map((r) => ({ rows: r.results ?? [], changes: r.meta.changes }));
  };
  const batchRows: SqlDatabase["batchRows"] = async (list) => {
    meter.count += list.length;
    const before = takeHeld();
    return (await send([...before, ...list])).slice(before.length);
  };
  /** One statement: on its own, or after what is held in the same batch. */
  const one = async <T>(sql: string, params: unknown[], alone: (statement: D1PreparedStatement) => Promise<T>, inBatch: (result: { rows: unknown[]; changes: number }) => T) => {
    if (held.length === 0) {
      meter.count++;
      return alone(d1.prepare(sql).bind(...params));
    }
    const [result] = await batchRows([{ sql, params }]);
    return inBatch(result!);
  };
  return {
    all<T>(sql: string, params: unknown[] = []) {
      return one(sql, params, async (s) => (await s.all<T>()).results, (r) => r.rows as T[]);
    },
    first<T>(sql: string, params: unknown[] = []) {
      return one(sql, params, async (s) => (await s.first<T>()) ?? null, (r) => (r.rows[0] as T | undefined) ?? null);
    },
    run(sql, params = []) {
      return one(sql, params, async (s) => (await s.run()).meta.changes, (r) => r.changes);
    },
    async batch(list) {
      return (await batchRows(list)).map((r) => r.changes);
    },
    batchRows,
    async later(list) {
      meter.count += list.length;
      held.push(...list);
    },
  };
}

/** The Workers store: D1, with migrations applied by `wrangler d1 migrations apply`. */
export function createD1Store(d1: D1Database, meter?: QueryMeter): Store {
  return createSqlStore(d1Database(d1, meter));
}
