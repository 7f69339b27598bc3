import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Store } from "../ports/store.js";
import type { SqlDatabase } from "./sql-database.js";
import { startCheckpointer } from "./sqlite-checkpointer.js";
import { createSqlStore } from "./sql-store.js";

/** Opens (creating if needed) the SQLite file and wraps it as the SqlDatabase the store uses. */
export function openSqliteDatabase(path: string): { db: Database.Database; sql: SqlDatabase } {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode is durable against a process crash; only power loss may drop the last commits.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  // Group commit: writes that arrive in the same turn of the event loop (concurrent webhook
  // deliveries, typically) share one transaction, each in its own savepoint so one failure stays its
  // own. A caller's promise settles after the commit, so an acknowledged delivery is on disk.
  type Job = {
    run: () => number[];
    /** More than one statement: needs its own savepoint to fail alone. */
    several: boolean;
    resolve: (changes: number[]) => void;
    reject: (error: unknown) => void;
  };
  let queue: Job[] = [];
  const savepoint = db.prepare("SAVEPOINT write_job");
  const release = db.prepare("RELEASE write_job");
  const rollback = db.prepare("ROLLBACK TO write_job");
  const flush = db.transaction((jobs: Job[]) =>
    jobs.map((job): { changes: number[] } | { error: unknown } => {
      // A single failing statement undoes only itself in SQLite; a batch needs a savepoint.
      if (!job.several) {
        try {
          return { changes: job.run() };
        } catch (error) {
          return { error };
        }
      }
      savepoint.run();
      try {
        const changes = job.run();
        release.run();
        return { changes };
      } catch (error) {
        rollback.run();
        release.run();
        return { error };
      }
    }),
  );
  const write = (run: () => number[], several: boolean) =>
    new Promise<number[]>((resolve, reject) => {
      if (queue.length === 0) {
        setImmediate(() => {
          const jobs = queue;
          queue = [];
          let outcomes: ({ changes: number[] } | { error: unknown })[];
          try {
            outcomes = flush(jobs);
          } catch (error) {
            // The commit itself failed: nothing of this group is on disk.
            jobs.forEach((job) => job.reject(error));
            return;
          }
          outcomes.forEach((outcome, i) =>
            "changes" in outcome ? jobs[i]!.resolve(outcome.changes) : jobs[i]!.reject(outcome.error),
          );
        });
      }
      queue.push({ run, several, resolve, reject });
    });
  const sql: SqlDatabase = {
    async all<T>(text: string, params: unknown[] = []) {
      return prepare(text).all(...params) as T[];
    },
    async first<T>(text: string, params: unknown[] = []) {
      return (prepare(text).get(...params) as T | undefined) ?? null;
    },
    async run(text, params = []) {
      const [changes = 0] = await write(() => [prepare(text).run(...params).changes], false);
      return changes;
    },
    async batch(list) {
      return write(() => list.map((s) => prepare(s.sql).run(...s.params).changes), list.length > 1);
    },
  };
  return { db, sql };
}

/** Applies the migrations in `dir` that this database has not had yet, in name order, as D1 does. */
export function applySqliteMigrations(db: Database.Database, dir: string): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
    applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
  const applied = new Set(
    (db.prepare(`SELECT name FROM d1_migrations`).all() as { name: string }[]).map((row) => row.name),
  );
  const pending = readdirSync(dir)
    .filter((name) => name.endsWith(".sql") && !applied.has(name))
    .sort();
  for (const name of pending) {
    db.transaction(() => {
      db.exec(readFileSync(join(dir, name), "utf8"));
      db.prepare(`INSERT INTO d1_migrations (name) VALUES (?)`).run(name);
    })();
  }
  return pending;
}

/**
 * The Node store: a SQLite file with the migrations applied, its write-ahead log copied into the
 * file on a thread of its own (`log` tells if that thread fails).
 */
export function createSqliteStore(path: string, migrationsDir: string, log: (line: string) => void = () => {}): Store & { close(): void } {
  const { db, sql } = openSqliteDatabase(path);
  applySqliteMigrations(db, migrationsDir);
  const checkpointer = path === ":memory:" ? null : startCheckpointer(db, path, log);
  return {
    ...createSqlStore(sql),
    close: () => {
      checkpointer?.stop();
      db.close();
    },
  };
}
