import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** How often the checkpointer copies the write-ahead log into the database file. */
const INTERVAL_MS = 200;
/**
 * A writer starts the log over only when it finds every page of it copied, and in a steady flood of
 * writes a commit always comes while the thread copies, so the log keeps growing. Past this many
 * pages (128 MiB at 4 KiB) the thread makes the writers wait while it copies the last pages, so the
 * next commit starts the log over. A connection of this store does not sleep for that wait: its
 * writes are tried again with its thread free meanwhile (sqlite-store.ts).
 */
const RESTART_PAGES = 32_768;

// The thread's code, as CommonJS: its own connection to the same file, and nothing else.
const CHECKPOINTER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 5000");
const tick = () => {
  try {
    const [copied] = db.pragma("wal_checkpoint(PASSIVE)");
    if (copied.log > workerData.restartPages) db.pragma("wal_checkpoint(RESTART)");
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  setTimeout(tick, workerData.intervalMs);
};
setTimeout(tick, workerData.intervalMs);
`;

export interface Checkpointer {
  stop(): void;
}

/**
 * Copies the write-ahead log of the SQLite file `db` has open into the database file on a thread
 * of its own, so the copy and its two fsyncs (some 15 ms for each 1,000 pages) do not hold up the
 * event loop, as they do when SQLite checkpoints at the end of a commit. The connection's own
 * automatic checkpoints stay off while the thread runs, and come back if the thread fails.
 */
export function startCheckpointer(db: Database.Database, path: string, log: (line: string) => void, restartPages = RESTART_PAGES): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { driver, path, intervalMs: INTERVAL_MS, restartPages },
  });
  worker.unref();
  let stopped = false;
  const fallBack = (why: string) => {
    if (stopped || !db.open) return;
    stopped = true;
    db.pragma("wal_autocheckpoint = 1000");
    log(`the SQLite checkpoint thread stopped (${why}); checkpoints are made at commit again`);
  };
  worker.once("online", () => {
    if (!stopped && db.open) db.pragma("wal_autocheckpoint = 0");
  });
  worker.on("message", (message: { error: string }) => log(`the SQLite checkpoint thread failed a checkpoint: ${message.error}`));
  worker.once("error", (error) => fallBack(error.message));
  worker.once("exit", (code) => fallBack(`exit code ${code}`));
  return {
    stop() {
      stopped = true;
      void worker.terminate();
    },
  };
}
