import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
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
    expect(applySqliteMigrations(db, "migrations")).toEqual(["0001_initial.sql", "0002_incident_channel.sql", "0003_external_refs.sql", "0004_chat_requests.sql", "0005_console_rooms.sql", "0006_platform_state.sql", "0007_incident_numbers.sql", "0008_work_order_and_retention.sql", "0009_effect_lanes.sql", "0010_effect_lanes_waiting.sql", "0011_retention_frees_pages.sql", "0012_free_rows_pruned_in_place.sql", "0013_incident_priority_and_failed_deliveries.sql", "0014_delivery_subject.sql", "0015_delivery_note.sql"]);
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

/** A database in memory with the migrations before `first` applied, as an older Herald left it. */
function migratedBefore(first: string, use: (db: ReturnType<typeof openSqliteDatabase>["db"]) => void): void {
  const before = mkdtempSync(join(tmpdir(), "herald-migrations-"));
  for (const name of readdirSync("migrations").filter((n) => n < first)) copyFileSync(join("migrations", name), join(before, name));
  const { db } = openSqliteDatabase(":memory:");
  try {
    applySqliteMigrations(db, before);
    use(db);
  } finally {
    db.close();
    rmSync(before, { recursive: true, force: true });
  }
}

describe("migrating a database that retention pruned in place", () => {
  it("frees the pages of the rows pruned before, keeping every row as it was", () => {
    // The database as Herald left it before 0011: migrated up to 0010, its old bodies updated away.
    migratedBefore("0011", (db) => {
      const body = JSON.stringify({ event: { summary: "x".repeat(1_600) } });
      const insert = db.prepare(`INSERT INTO deliveries (id, source, webhook_id, received_at, body, processed_at, urgency) VALUES (?, 'pagerduty', ?, '2026-10-01', ?, '2026-10-02', 1)`);
      for (let n = 0; n < 1_000; n++) insert.run(`pagerduty:${n}`, `W${n}`, body);
      db.prepare(`INSERT INTO effects (key, incident_id, kind, payload, status, attempts, next_attempt_at, created_at, updated_at, urgency, lane) VALUES ('k', 'inc-1', 'post_message', '{"kind":"post_message","text":"long"}', 'done', 2, 't', 't', 't', 0, 'room')`).run();
      db.prepare(`UPDATE deliveries SET body = '', request = NULL, pruned_at = '2026-11-02'`).run();
      db.prepare(`UPDATE effects SET payload = json_object('kind', kind), result = NULL, pruned_at = '2026-11-02'`).run();
      const inUse = () => (db.pragma("page_count", { simple: true }) as number) - (db.pragma("freelist_count", { simple: true }) as number);
      const rows = () => ({
        deliveries: db.prepare(`SELECT rowid, * FROM deliveries ORDER BY rowid`).all(),
        effects: db.prepare(`SELECT * FROM effects`).all(),
      });
      const sparse = inUse();
      const kept = rows();

      expect(applySqliteMigrations(db, "migrations").filter((n) => n < "0013")).toEqual(["0011_retention_frees_pages.sql", "0012_free_rows_pruned_in_place.sql"]);
      // A thousand rows of some 150 bytes: a few dozen pages, where their bodies had left some 500.
      expect(sparse).toBeGreaterThan(400);
      expect(inUse()).toBeLessThan(sparse / 5);
      // Columns added since come in beside what was kept.
      expect(rows()).toMatchObject(kept);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'pruned_in_place'`).all()).toEqual([]);
    });
  });
});

describe("migrating incidents kept before priority had a column", () => {
  it("gives each incident the priority its record says, and finds it by its index", () => {
    migratedBefore("0013", (db) => {
      const insert = db.prepare(`INSERT INTO incidents (id, record, status, triggered_at, updated_at) VALUES (?, ?, 'triggered', '2026-10-01', '2026-10-01')`);
      insert.run("inc-1", JSON.stringify({ id: "inc-1", priority: "P1" }));
      insert.run("inc-2", JSON.stringify({ id: "inc-2", priority: null }));

      expect(applySqliteMigrations(db, "migrations").filter((n) => n < "0014")).toEqual(["0013_incident_priority_and_failed_deliveries.sql"]);
      expect(db.prepare(`SELECT id, priority FROM incidents ORDER BY id`).all()).toEqual([
        { id: "inc-1", priority: "P1" },
        { id: "inc-2", priority: null },
      ]);
      const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT record FROM incidents WHERE priority IN ('P1') ORDER BY triggered_at DESC, id DESC LIMIT 50`).all() as { detail: string }[];
      expect(plan.map((step) => step.detail).join("; ")).toContain("incidents_priority_page");
    });
  });
});
