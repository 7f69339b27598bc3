import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applySqliteMigrations, createWriteTurnFlag, openSqliteDatabase } from "../../src/store/sqlite-store.js";
import { until } from "../support/until.js";

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
    expect(applySqliteMigrations(db, "migrations")).toEqual(["0001_initial.sql", "0002_incident_channel.sql", "0003_external_refs.sql", "0004_chat_requests.sql", "0005_console_rooms.sql", "0006_platform_state.sql", "0007_incident_numbers.sql", "0008_work_order_and_retention.sql", "0009_effect_lanes.sql", "0010_effect_lanes_waiting.sql"]);
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
  it("gives the write turn to a connection that claims it: it raises the flag while it waits for the lock, and the other starts no write until it is down", async () => {
    const dir = mkdtempSync(join(tmpdir(), "herald-turn-"));
    const path = join(dir, "herald.db");
    const flag = createWriteTurnFlag();
    const server = openSqliteDatabase(path, { flag, role: "claims" });
    const background = openSqliteDatabase(path, { flag, role: "yields" });
    const holder = openSqliteDatabase(path);
    const rows = () => server.db.prepare(`SELECT by FROM t ORDER BY id`).all();
    try {
      await server.sql.run(`CREATE TABLE t (id INTEGER PRIMARY KEY, by TEXT)`);
      // Someone holds the lock: the server's write finds it taken and raises the flag until it commits.
      holder.db.exec(`BEGIN IMMEDIATE`);
      const serverWrite = server.sql.run(`INSERT INTO t (by) VALUES ('server')`);
      await until("the server to claim the turn", () => Atomics.load(flag, 0) === 1, 2);
      holder.db.exec(`COMMIT`);
      await serverWrite;
      expect(Atomics.load(flag, 0)).toBe(0);

      // With the flag up, the background's write waits though the lock is free; it goes once the flag is down.
      Atomics.store(flag, 0, 1);
      let written = false;
      const backgroundWrite = background.sql.run(`INSERT INTO t (by) VALUES ('background')`).then(() => (written = true));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(written).toBe(false);
      expect(rows()).toEqual([{ by: "server" }]);
      Atomics.store(flag, 0, 0);
      await backgroundWrite;
      expect(rows()).toEqual([{ by: "server" }, { by: "background" }]);
    } finally {
      server.db.close();
      background.db.close();
      holder.db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
