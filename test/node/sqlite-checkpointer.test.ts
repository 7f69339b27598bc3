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

});
