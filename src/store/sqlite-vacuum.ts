import Database from "better-sqlite3";
import { existsSync, statSync } from "node:fs";

export interface Vacuumed {
  /** The file's size before and after, in bytes (its write-ahead log included). */
  before: number;
  after: number;
}

/** The database file's size on disk with its write-ahead log. */
function bytesOnDisk(path: string): number {
  return [path, `${path}-wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

/**
 * Gives the pages that retention freed back to the disk: SQLite reuses them for new rows, but the
 * file keeps its size until VACUUM rewrites it. Meant for when Herald is stopped: it refuses at once,
 * rather than wait, while any other connection has the database open, even an idle one (a running
 * Herald whose writes would otherwise wait for the whole rewrite).
 */
export function vacuumDatabase(path: string): Vacuumed {
  if (!existsSync(path)) throw new Error(`there is no database at ${path} (set HERALD_DB, or pass its path)`);
  const before = bytesOnDisk(path);
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 0");
    // Every connection to a database in WAL mode holds a shared lock on its file while it is open,
    // so the file's exclusive lock is refused while any other is, writing or not. In exclusive
    // locking mode the lock, once had, is kept until this connection closes: nobody starts in the middle.
    db.pragma("locking_mode = EXCLUSIVE");
    try {
      db.exec("BEGIN EXCLUSIVE");
      db.exec("COMMIT");
      db.exec("VACUUM");
      // In WAL mode the rewritten pages go through the log: copy them into the file and empty it.
      db.pragma("wal_checkpoint(TRUNCATE)");
    } catch (error) {
      if (String((error as { code?: unknown }).code ?? "").startsWith("SQLITE_BUSY")) {
        throw new Error(`${path} is in use (is Herald running?): stop Herald, then run this again`);
      }
      throw error;
    }
  } finally {
    db.close();
  }
  return { before, after: bytesOnDisk(path) };
}
