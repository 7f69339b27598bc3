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
    expect(applySqliteMigrations(db, "migrations")).toEqual(["0001_initial.sql", "0002_incident_channel.sql", "0003_external_refs.sql", "0004_chat_requests.sql", "0005_console_rooms.sql", "0006_platform_state.sql", "0007_incident_numbers.sql", "0008_work_order_and_retention.sql", "0009_effect_lanes.sql", "0010_effect_lanes_waiting.sql"]);
    expect(applySqliteMigrations(db, "migrations")).toEqual([]);
  });
});
