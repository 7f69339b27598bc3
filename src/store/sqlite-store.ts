import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Store } from "../ports/store.js";
import type { SqlDatabase } from "./sql-database.js";
import { startCheckpointer } from "./sqlite-checkpointer.js";
import { createSqlStore } from "./sql-store.js";

/** How long a write waits for another connection's write lock before it fails, as busy_timeout would. */
const LOCK_WAIT_MS = 5_000;

const isBusy = (error: unknown) => String((error as { code?: unknown } | null)?.code ?? "").startsWith("SQLITE_BUSY");

/** Opens (creating if needed) the SQLite file and wraps it as the SqlDatabase the store uses. */
export function openSqliteDatabase(path: string): { db: Database.Database; sql: SqlDatabase } {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode is durable against a process crash; only power loss may drop the last commits.
  db.pragma("synchronous = NORMAL");
  db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
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
    run: () => unknown[];
    /** More than one statement: needs its own savepoint to fail alone. */
    several: boolean;
    resolve: (results: unknown[]) => void;
    reject: (error: unknown) => void;
  };
  let queue: Job[] = [];
  const savepoint = db.prepare("SAVEPOINT write_job");
  const release = db.prepare("RELEASE write_job");
  const rollback = db.prepare("ROLLBACK TO write_job");
  const flush = db.transaction((jobs: Job[]) =>
    jobs.map((job): { results: unknown[] } | { error: unknown } => {
      // A single failing statement undoes only itself in SQLite; a batch needs a savepoint.
      if (!job.several) {
        try {
          return { results: job.run() };
        } catch (error) {
          return { error };
        }
      }
      savepoint.run();
      try {
        const results = job.run();
        release.run();
        return { results };
      } catch (error) {
        rollback.run();
        release.run();
        return { error };
      }
    }),
  );
  // Another connection (Node's background thread) may hold the write lock. SQLite's own wait for it
  // sleeps on this thread, 1, 2, 5, 10 ms and on, holding up everything else the thread does; so the
  // group instead takes the lock without waiting, or tries again a millisecond later with the event
  // loop free meanwhile, for as long as SQLite would have waited. Reads keep SQLite's wait.
  const noWait = db.prepare("PRAGMA busy_timeout = 0");
  const wait = db.prepare(`PRAGMA busy_timeout = ${LOCK_WAIT_MS}`);
  let flushing = false;
  let lockedSince: number | null = null;
  const flushQueue = () => {
    const jobs = queue;
    queue = [];
    let outcomes: ({ results: unknown[] } | { error: unknown })[];
    try {
      noWait.get();
      try {
        outcomes = flush.immediate(jobs);
      } finally {
        wait.get();
      }
    } catch (error) {
      const now = Date.now();
      if (isBusy(error) && now - (lockedSince ??= now) < LOCK_WAIT_MS) {
        // Nothing ran: the group, and whatever joins it meanwhile, is tried again.
        queue = jobs.concat(queue);
        setTimeout(flushQueue, 1);
        return;
      }
      lockedSince = null;
      flushing = false;
      // The commit itself failed: nothing of this group is on disk.
      jobs.forEach((job) => job.reject(error));
      return;
    }
    lockedSince = null;
    flushing = false;
    outcomes.forEach((outcome, i) =>
      "results" in outcome ? jobs[i]!.resolve(outcome.results) : jobs[i]!.reject(outcome.error),
    );
  };
  const write = <T>(run: () => T[], several: boolean) =>
    new Promise<T[]>((resolve, reject) => {
      queue.push({ run, several, resolve: resolve as (results: unknown[]) => void, reject });
      if (!flushing) {
        flushing = true;
        setImmediate(flushQueue);
      }
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
    async batchRows(list) {
      return write(
        () =>
          list.map((s) => {
            const statement = prepare(s.sql);
            return statement.reader ? { rows: statement.all(...s.params), changes: 0 } : { rows: [], changes: statement.run(...s.params).changes };
          }),
        list.length > 1,
      );
    },
    async later(list) {
      await sql.batch(list);
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
