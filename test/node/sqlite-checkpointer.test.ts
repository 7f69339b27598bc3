import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCheckpointer } from "../../src/store/sqlite-checkpointer.js";
import { openSqliteDatabase } from "../../src/store/sqlite-store.js";
import { until } from "../support/until.js";

const dir = mkdtempSync(join(tmpdir(), "herald-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the SQLite checkpoint thread", () => {
  it("copies the write-ahead log into the file, while commits no longer do", async () => {
    const path = join(dir, "herald.db");
    const { db, sql } = openSqliteDatabase(path);
    const lines: string[] = [];
    const checkpointer = startCheckpointer(db, path, (line) => lines.push(line));
    try {
      await until("the thread to take the checkpoints over", () => db.pragma("wal_autocheckpoint", { simple: true }) === 0, 10);
      await sql.run(`CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`);
      const before = statSync(path).size;
      // About 6 MiB, some 1,500 pages: past the 1,000 at which a commit would have checkpointed.
      for (let i = 0; i < 30; i++) {
        await sql.batch(Array.from({ length: 100 }, () => ({ sql: `INSERT INTO filler (text) VALUES (?)`, params: ["x".repeat(2_000)] })));
      }
      const copied = await until("the pages to reach the database file", () => statSync(path).size > before + 5_000_000, 10);
      expect(copied).toBe(true);
      expect(lines).toEqual([]);
    } finally {
      checkpointer.stop();
      db.close();
    }
  });

  it("has the log started over in a steady flood of writes, so it stops growing", async () => {
    const path = join(dir, "flood.db");
    const { db, sql } = openSqliteDatabase(path);
    // Started over past 256 pages (1 MiB) here, 32,768 in Herald.
    const checkpointer = startCheckpointer(db, path, () => {}, 256);
    try {
      await until("the thread to take the checkpoints over", () => db.pragma("wal_autocheckpoint", { simple: true }) === 0, 10);
      await sql.run(`CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`);
      // Some 12 MiB over two seconds, a commit every few milliseconds: never a pause for the thread.
      const until2s = Date.now() + 2_000;
      let written = 0;
      while (Date.now() < until2s) {
        await sql.batch(Array.from({ length: 10 }, () => ({ sql: `INSERT INTO filler (text) VALUES (?)`, params: ["x".repeat(2_000)] })));
        written += 10 * 2_000;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(written).toBeGreaterThan(4_000_000);
      expect(statSync(`${path}-wal`).size).toBeLessThan(written / 2);
    } finally {
      checkpointer.stop();
      db.close();
    }
  });

});
