import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/store/sqlite-store.js";
import { vacuumDatabase } from "../../src/store/sqlite-vacuum.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A Herald database whose 400 old deliveries' bodies retention has dropped. */
async function pruned(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "herald-vacuum-"));
  dirs.push(dir);
  const path = join(dir, "herald.db");
  const store = createSqliteStore(path, "migrations");
  const body = JSON.stringify({ event: { summary: "x".repeat(4_000) } });
  for (let n = 0; n < 400; n++) {
    await store.recordDelivery({ id: `pagerduty:${n}`, source: "pagerduty", webhookId: null, receivedAt: "2026-10-01T00:00:00.000Z", body });
    await store.commitProcessed({ deliveryId: `pagerduty:${n}`, processedAt: "2026-10-01T00:00:01.000Z", incidents: [], entries: [], effects: [] });
  }
  while ((await store.prune("2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z", 200)).deliveries > 0);
  store.close();
  return path;
}

describe("npm run vacuum", () => {
  it("gives the space retention freed back to the disk, keeping every row", async () => {
    const path = await pruned();
    const { before, after } = vacuumDatabase(path);
    // 400 bodies of some 4 KB: well over a megabyte freed inside the file, now gone from it.
    expect(before - after).toBeGreaterThan(1_000_000);
    const db = new Database(path, { readonly: true });
    expect(db.prepare(`SELECT count(*) AS n FROM deliveries WHERE pruned_at IS NOT NULL`).get()).toEqual({ n: 400 });
    db.close();
  });

  it("refuses at once, and changes nothing, while another connection is writing", async () => {
    const path = await pruned();
    const herald = new Database(path);
    herald.exec("BEGIN IMMEDIATE");
    expect(() => vacuumDatabase(path)).toThrow(`${path} is in use (is Herald running?): stop Herald, then run this again`);
    herald.exec("ROLLBACK");
    herald.close();
    expect(vacuumDatabase(path).after).toBeLessThan(1_000_000);
  });

  it("refuses at once while another connection only has the database open, as an idle Herald has", async () => {
    const path = await pruned();
    const herald = new Database(path);
    herald.prepare(`SELECT count(*) FROM deliveries`).get();
    expect(() => vacuumDatabase(path)).toThrow(`${path} is in use (is Herald running?): stop Herald, then run this again`);
    // Still usable as it was: nothing is left locked.
    herald.prepare(`INSERT INTO deliveries (id, source, received_at, body) VALUES ('later', 'pagerduty', '2026-11-03T00:00:00.000Z', '{}')`).run();
    herald.close();
    expect(vacuumDatabase(path).after).toBeLessThan(1_000_000);
  });

  it("says so when there is no database", () => {
    expect(() => vacuumDatabase("/nonexistent/herald.db")).toThrow("there is no database at /nonexistent/herald.db (set HERALD_DB, or pass its path)");
  });
});
