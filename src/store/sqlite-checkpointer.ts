import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** How often the checkpointer copies the write-ahead log into the database file. */
const INTERVAL_MS = 200;
/**
 * A writer starts the log over only when it finds every page of it copied, and in a steady flood of
 * writes a commit always comes while the thread copies, so the log keeps growing. Past this many
 * pages (128 MiB at 4 KiB) the thread asks the connection to copy the last few pages itself, between
 * two commits, so the next one starts the log over (a pause of some 10 ms, the two fsyncs).
 */
const RESTART_PAGES = 32_768;
/** Past this many times that, should it not have happened, the thread makes the writers wait while it copies them all. */
const FORCE_RESTART = 4;

// The thread's code, as CommonJS: its own connection to the same file, and nothing else.
const CHECKPOINTER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 5000");
const tick = () => {
  try {
    const [copied] = db.pragma("wal_checkpoint(PASSIVE)");
    if (copied.log > workerData.forceRestartPages) db.pragma("wal_checkpoint(RESTART)");
    else if (copied.log > workerData.restartPages) parentPort.postMessage({ restart: true });
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
    workerData: { driver, path, intervalMs: INTERVAL_MS, restartPages, forceRestartPages: FORCE_RESTART * restartPages },
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
  worker.on("message", (message: { error: string } | { restart: true }) => {
    if ("error" in message) log(`the SQLite checkpoint thread failed a checkpoint: ${message.error}`);
    // Here no commit can come between the copy of the last pages and the next write. Should the
    // thread be copying just then, this gives way (busy) and the thread asks again.
    else if (!stopped && db.open) db.pragma("wal_checkpoint(PASSIVE)");
  });
  worker.once("error", (error) => fallBack(error.message));
  worker.once("exit", (code) => fallBack(`exit code ${code}`));
  return {
    stop() {
      stopped = true;
      void worker.terminate();
    },
  };
}
