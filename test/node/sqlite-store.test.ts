import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSqliteDatabase, applySqliteMigrations } from "../../src/store/sqlite-store.js";

describe("the SQLite database's group commit", () => {
  it("commits concurrent writes together, and a failing one alone fails", async () => {
    const { db, sql } = openSqliteDatabase(":memory:");
    applySqliteMigrations(db, "migrations");
    const insert = `INSERT INTO local_channels (id, name, created_at) VALUES (?, ?, ?)`;
    const results = await Promise.allSettled([
      sql.run(insert, ["L1", "one", "t"]),
      sql.run(insert, ["L2", "one", "t"]), // the name is unique: this one fails
      sql.batch([
        { sql: insert, params: ["L3", "three", "t"] },
        { sql: insert, params: ["L4", "four", "t"] },
      ]),
      sql.batch([
        { sql: insert, params: ["L5", "five", "t"] },
        { sql: insert, params: ["L6", "three", "t"] }, // fails, and takes L5 back with it
      ]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected"]);
    expect(results[0]).toEqual({ status: "fulfilled", value: 1 });
    expect(results[2]).toEqual({ status: "fulfilled", value: [1, 1] });
    expect(await sql.all(`SELECT id FROM local_channels ORDER BY id`)).toEqual([{ id: "L1" }, { id: "L3" }, { id: "L4" }]);
  });

  it("has applied each migration once", () => {
    const { db } = openSqliteDatabase(":memory:");
    expect(applySqliteMigrations(db, "migrations")).toEqual(["0001_initial.sql", "0002_incident_channel.sql", "0003_external_refs.sql", "0004_chat_requests.sql", "0005_console_rooms.sql", "0006_platform_state.sql", "0007_incident_numbers.sql", "0008_work_order_and_retention.sql", "0009_effect_lanes.sql", "0010_effect_lanes_waiting.sql", "0011_retention_frees_pages.sql"]);
    expect(applySqliteMigrations(db, "migrations")).toEqual([]);
  });

  it("waits for another connection's write lock with its thread free, then commits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "herald-lock-"));
    const path = join(dir, "herald.db");
    const ours = openSqliteDatabase(path);
    const theirs = openSqliteDatabase(path);
    try {
      await ours.sql.run(`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
      // The other connection (the background thread's, in Herald) holds the write lock.
      theirs.db.exec(`BEGIN IMMEDIATE`);
      theirs.db.exec(`INSERT INTO t (id) VALUES (1)`);
      const order: string[] = [];
      const written = ours.sql.run(`INSERT INTO t (id) VALUES (2)`).then(() => order.push("written"));
      // SQLite's own wait would sleep on this thread: no timer could fire before the write gave up.
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push("timer");
      theirs.db.exec(`COMMIT`);
      await written;
      expect(order).toEqual(["timer", "written"]);
      expect(ours.db.prepare(`SELECT id FROM t ORDER BY id`).all()).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      ours.db.close();
      theirs.db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
