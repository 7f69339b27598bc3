// npm run bench:store: the SQLite store at the size of a busy year, built through the store API.
//   INCIDENTS (10,000) incidents with TIMELINE (1,000,000) timeline entries between them (one incident
//   has 5,000), each incident with the raw deliveries and finished effects that made it.
// Measures: the first page of incidents and one incident's record with the first page of its
// timeline (median and p99 of 200 reads), against reading every incident as the API used to; the
// database's size before and after retention drops the old raw bodies (then VACUUM), and how long
// each of retention's steps takes; and how many store round trips one delivery costs to process,
// and one effect to carry out.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { applySqliteMigrations, openSqliteDatabase } from "../src/store/sqlite-store.js";
import { createSqlStore } from "../src/store/sql-store.js";
import type { SqlDatabase } from "../src/store/sql-database.js";
import type { Incident, TimelineEntry } from "../src/domain/incident.js";
import type { NewEffect } from "../src/ports/store.js";
import { createHerald } from "../src/herald.js";
import { readSettings } from "../src/settings.js";
import { systemClock } from "../src/ports/clock.js";
import { processDelivery } from "../src/pipeline/process-delivery.js";
import { loadConfig } from "../src/config/load-config.js";
import { createRenderer } from "../src/render/renderer.js";
import { templates } from "../src/generated/templates.js";
import { readPagerDutyDelivery } from "../src/pagerduty/read-delivery.js";
import { percentile } from "./bench-kit.js";

const INCIDENTS = Number(process.env.INCIDENTS ?? 10_000);
const TIMELINE = Number(process.env.TIMELINE ?? 1_000_000);
const DELIVERIES_PER_INCIDENT = 8;
const EFFECTS_PER_INCIDENT = 10;
const BIG = 5_000;

const fixture = readFileSync("test/fixtures/pagerduty/zulip_triggered_v3.json", "utf8");
const OLD = "2025-06-01T00:00:00.000Z";

function incident(i: number): Incident {
  const at = new Date(Date.parse(OLD) + i * 60_000).toISOString();
  return {
    id: `inc-${i}`, pagerdutyId: `PSCALE${i}`, number: i, title: `Incident ${i}: the database is slow in eu-west-2`, url: `https://example.pagerduty.com/incidents/PSCALE${i}`,
    service: { id: "PNETWRK", name: "Networking - Modernisation Platform" }, priority: i % 10 === 0 ? "P1" : "P3", status: "resolved", urgency: "high",
    assignees: [{ id: "PUSER1", name: "Ada Lovelace" }], triggeredAt: at, acknowledgedAt: at, resolvedAt: at, updatedAt: at,
    channel: { id: `C${i}`, name: `inc-${i}-the-database-is-slow` }, roles: { lead: { id: "U1", name: "ada" }, scribe: { id: "U2", name: "grace" } },
  } as Incident;
}

function entry(incidentId: string, n: number, at: string): TimelineEntry {
  return { id: `${incidentId}:e${n}`, incidentId, at, author: { id: "U1", name: "ada" }, source: "slack", category: "discussion", kind: "note.added", text: `Looked at the replica lag on db-${n % 7}; it is ${n % 50} seconds behind and falling.` };
}

function counting(db: SqlDatabase): SqlDatabase & { calls: number } {
  const counted: SqlDatabase & { calls: number } = {
    calls: 0,
    all: (sql: string, params?: unknown[]) => (counted.calls++, db.all(sql, params)),
    first: (sql: string, params?: unknown[]) => (counted.calls++, db.first(sql, params)),
    run: (sql: string, params?: unknown[]) => (counted.calls++, db.run(sql, params)),
    batch: (statements: Parameters<SqlDatabase["batch"]>[0]) => (counted.calls++, db.batch(statements)),
    batchRows: (statements: Parameters<SqlDatabase["batchRows"]>[0]) => (counted.calls++, db.batchRows(statements)),
    // SQLite writes them at once: a pass of their own.
    later: (statements: Parameters<SqlDatabase["later"]>[0]) => (counted.calls++, db.later(statements)),
  };
  return counted;
}

async function timed(runs: number, task: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/** A full garbage collection, without asking for `--expose-gc` on the command line. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "herald-scale-"));
  const path = join(dir, "herald.db");
  const { db, sql } = openSqliteDatabase(path);
  applySqliteMigrations(db, "migrations");
  const store = createSqlStore(sql);
  const size = () => {
    const pages = (db.pragma("page_count", { simple: true }) as number) - (db.pragma("freelist_count", { simple: true }) as number);
    return pages * (db.pragma("page_size", { simple: true }) as number);
  };

  const started = performance.now();
  const perIncident = Math.floor((TIMELINE - BIG) / (INCIDENTS - 1));
  for (let batch = 0; batch < INCIDENTS; batch += 100) {
    const incidents: Incident[] = [];
    const entries: TimelineEntry[] = [];
    const effects: NewEffect[] = [];
    for (let i = batch; i < Math.min(batch + 100, INCIDENTS); i++) {
      const inc = incident(i);
      incidents.push(inc);
      // The big one takes what the others leave, so the total is TIMELINE exactly.
      const count = i === 0 ? TIMELINE - perIncident * (INCIDENTS - 1) : perIncident;
      for (let n = 0; n < count; n++) entries.push(entry(inc.id, n, new Date(Date.parse(inc.triggeredAt) + n * 1000).toISOString()));
      for (let n = 0; n < EFFECTS_PER_INCIDENT; n++) effects.push({ key: `${inc.id}:x${n}`, incidentId: inc.id, payload: { kind: "post_message", to: "incident", template: "incident-summary", text: `*P3 incident ${i}*\n${"Summary line with the facts of the incident. ".repeat(8)}` } });
      for (let n = 0; n < DELIVERIES_PER_INCIDENT; n++) {
        await store.recordDelivery({ id: `pagerduty:${inc.id}:${n}`, source: "pagerduty", webhookId: null, receivedAt: inc.triggeredAt, body: fixture });
      }
    }
    await store.commitProcessed({ deliveryId: `pagerduty:inc-${batch}:0`, processedAt: OLD, incidents, entries, effects });
    db.prepare(`UPDATE deliveries SET processed_at = ? WHERE processed_at IS NULL`).run(OLD);
    db.prepare(`UPDATE effects SET status = 'done', result = '{"channel":"C1","id":"1732.000100"}', updated_at = ? WHERE status = 'pending'`).run(OLD);
  }
  db.pragma("wal_checkpoint(TRUNCATE)");
  const built = (performance.now() - started) / 1000;
  const entriesStored = (db.prepare(`SELECT COUNT(*) AS n FROM timeline_entries`).get() as { n: number }).n;

  // Building the store left this process some 100 MB of its own garbage, which a Herald serving the
  // API would not have: collected now, so that its collection (pauses of 7–10 ms, two or three in
  // 200 reads) is not counted as the reads' time.
  collectGarbage();
  const firstPage = await timed(200, () => store.pageIncidents({ limit: 50 }));
  const record = await timed(200, async () => {
    const found = await store.getIncident("PSCALE0");
    await store.timelinePage(found!.id, { limit: 200 });
  });
  const everything = await timed(5, () => store.listIncidents());
  const wholeTimeline = await timed(20, () => store.timeline("inc-0"));
  const sizeBefore = size();

  // Retention, as the timer tick runs it (500 at a time), everything being older than 30 days.
  const before = new Date(Date.now() - 30 * 86_400_000).toISOString();
  let pruned = { deliveries: 0, effects: 0 };
  const steps: number[] = [];
  for (;;) {
    const stepStart = performance.now();
    const step = await store.prune(before, new Date().toISOString(), 500);
    steps.push(performance.now() - stepStart);
    pruned = { deliveries: pruned.deliveries + step.deliveries, effects: pruned.effects + step.effects };
    if (step.deliveries === 0 && step.effects === 0) break;
  }
  const sizeAfter = size();
  db.exec("VACUUM");
  const fileAfterVacuum = statSync(path).size;
  db.close();

  // Store round trips: a fresh store, Herald's own pipeline, the local chat (which writes to the same store).
  const calls = await roundTrips(dir);
  rmSync(dir, { recursive: true, force: true });

  console.log(`Built ${INCIDENTS} incidents, ${entriesStored} timeline entries (one incident with ${TIMELINE - perIncident * (INCIDENTS - 1)}), ${INCIDENTS * DELIVERIES_PER_INCIDENT} raw deliveries and ${INCIDENTS * EFFECTS_PER_INCIDENT} finished effects in ${built.toFixed(0)} s.\n`);
  console.log(`| read (SQLite, ${200} runs) | p50 ms | p99 ms | target |`);
  console.log(`|---|---|---|---|`);
  console.log(`| first page of incidents (50) | ${firstPage.p50.toFixed(2)} | ${firstPage.p99.toFixed(2)} | < 5 ms |`);
  console.log(`| one incident + first page of its ${TIMELINE - perIncident * (INCIDENTS - 1)}-entry timeline (200) | ${record.p50.toFixed(2)} | ${record.p99.toFixed(2)} | < 5 ms |`);
  console.log(`| before: every incident (as GET /api/incidents did) | ${everything.p50.toFixed(0)} | ${everything.p99.toFixed(0)} | |`);
  console.log(`| before: that incident's whole timeline | ${wholeTimeline.p50.toFixed(1)} | ${wholeTimeline.p99.toFixed(1)} | |`);
  console.log(`\nDatabase: ${mib(sizeBefore)} MiB with everything kept; ${mib(sizeAfter)} MiB in use after retention dropped ${pruned.deliveries} raw bodies and ${pruned.effects} finished payloads (the file itself keeps its size, its freed pages reused by new rows); file ${mib(fileAfterVacuum)} MiB after VACUUM (target: under 300 MiB).`);
  console.log(`Retention's steps (500 deliveries and 500 effects each, as a timer tick runs one): ${steps.length}, p50 ${percentile(steps, 50).toFixed(1)} ms, p99 ${percentile(steps, 99).toFixed(1)} ms.`);
  console.log(`\nStore round trips (SQLite calls; on D1 each is a round trip): ${calls.perDelivery.toFixed(1)} per delivery processed, ${calls.perEffect.toFixed(1)} per effect carried out (target: ≤ 5 per delivery).`);
}

/** Processes DELIVERIES P1 pages through Herald's pipeline on a counting store, with the local chat. */
async function roundTrips(dir: string): Promise<{ perDelivery: number; perEffect: number }> {
  const { db, sql } = openSqliteDatabase(join(dir, "calls.db"));
  applySqliteMigrations(db, "migrations");
  const counted = counting(sql);
  const store = createSqlStore(counted);
  const herald = createHerald({
    store, configText: readFileSync("herald.yaml", "utf8"), configSource: "herald.yaml", env: {}, settings: readSettings({ PAGERDUTY_WEBHOOK_SECRETS: "x" }),
    clock: systemClock, log: () => {}, print: () => {},
  });
  const page = JSON.parse(fixture);
  page.event.data.priority = { id: "PPRIO1", type: "priority_reference", summary: "P1" };
  const count = 100;
  for (let i = 0; i < count; i++) {
    page.event.id = `EVT-CALLS-${i}`;
    page.event.data.id = `PCALLS${i}`;
    page.event.data.number = i;
    await store.recordDelivery({ id: `pagerduty:EVT-CALLS-${i}`, source: "pagerduty", webhookId: null, receivedAt: new Date().toISOString(), body: JSON.stringify(page) });
  }
  // The whole pipeline over them (deliveries, then every effect they queue, with the local chat).
  counted.calls = 0;
  await herald.pipeline({ budgetMs: 120_000 });
  const total = counted.calls;
  const effects = (db.prepare(`SELECT COUNT(*) AS n FROM effects WHERE status != 'pending'`).get() as { n: number }).n;
  db.close();
  // What processing the deliveries alone costs, on a store of its own; the rest is the effects'.
  const deliveryCalls = await deliveriesOnly(dir, count, page);
  return { perDelivery: deliveryCalls / count, perEffect: (total - deliveryCalls) / Math.max(effects, 1) };
}

async function deliveriesOnly(dir: string, count: number, page: Record<string, any>): Promise<number> {
  const { db, sql } = openSqliteDatabase(join(dir, "deliveries.db"));
  applySqliteMigrations(db, "migrations");
  const counted = counting(sql);
  const store = createSqlStore(counted);
  const renderer = createRenderer(templates, { timeZone: "Europe/London" });
  const config = loadConfig(readFileSync("herald.yaml", "utf8"), { source: "herald.yaml", env: {}, templateNames: renderer.names });
  for (let i = 0; i < count; i++) {
    page.event.id = `EVT-ONLY-${i}`;
    page.event.data.id = `PONLY${i}`;
    await store.recordDelivery({ id: `pagerduty:EVT-ONLY-${i}`, source: "pagerduty", webhookId: null, receivedAt: new Date().toISOString(), body: JSON.stringify(page) });
  }
  counted.calls = 0;
  for (const delivery of await store.pendingDeliveries(count)) {
    await processDelivery(delivery, { store, config, renderer, newId: () => crypto.randomUUID(), log: () => {}, sources: { pagerduty: readPagerDutyDelivery } }, new Date().toISOString());
  }
  const calls = counted.calls - 1;
  db.close();
  return calls;
}

void main();
