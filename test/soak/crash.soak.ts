import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildForNode } from "../../scripts/build-node.mjs";
import { until } from "../support/until.js";
import { createFakeVendors } from "../support/fake-vendors.js";
import { deliveries } from "../support/fixtures.js";
import { random } from "../support/fuzz.js";
import { watchLog } from "../support/log-watch.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";
import { TEAM_CHANNELS, testEnv } from "../support/test-config.js";

// `npm run soak`: Herald as `npm start` runs it, killed (SIGKILL) at random moments while pages and
// declares are in flight, ROUNDS times, restarted on the same database each time. Then: every
// accepted request processed, and no room, post or PagerDuty incident made twice.
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.CRASH_REQUESTS ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);

const vendors = await createFakeVendors();
const server = serve({ fetch: vendors.app.fetch, port: 0, hostname: "127.0.0.1" });
const vendorsUrl = await new Promise<string>((resolve) => server.once("listening", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const dir = mkdtempSync(join(tmpdir(), "herald-crash-"));
const children: ChildProcess[] = [];

afterAll(() => {
  children.forEach((child) => child.kill("SIGKILL"));
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Herald as `npm start` runs it: built once for the run. */
const MAIN = "dist/node/main.mjs";
beforeAll(() => buildForNode("src/node/main.ts", MAIN));

async function start(port: number): Promise<ChildProcess> {
  const env = testEnv(readFileSync("herald.yaml", "utf8"), vendorsUrl);
  writeFileSync(join(dir, "herald.yaml"), env.HERALD_CONFIG_YAML!);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HERALD_DB: join(dir, "herald.db"), HERALD_CONFIG: join(dir, "herald.yaml") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding("utf8").on("data", (text: string) => text.split("\n").forEach(watchLog));
  await until("Herald to answer", async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok || undefined, 30);
  return child;
}

describe("SIGKILL at random moments, restarted on the same database", () => {
  it(`loses nothing and does nothing twice over ${ROUNDS} crashes`, async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const rand = random(SEED);
    const base = lifecycle(deliveries)[0]!.body;
    const accepted = { pages: new Set<string>(), declares: new Set<string>() };
    let n = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const herald = await start(port);
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < PER_ROUND; i++) {
        const k = n++;
        if (k % 2 === 0) {
          const page = JSON.parse(base);
          page.event.id = `EVT-CRASH-${k}`;
          page.event.occurred_at = new Date().toISOString();
          page.event.data.id = `PCRASH${k}`;
          page.event.data.number = 9000 + k;
          page.event.data.title = `Crash page ${k}`;
          inFlight.push(
            signedDelivery(JSON.stringify(page)).then((init) => fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, init)).then((r) => r.status === 202 && accepted.pages.add(`PCRASH${k}`), () => null),
          );
        } else {
          inFlight.push(
            slashCommand(`declare P3 networking Crash declare ${k}`, { channel: TEAM_CHANNELS.team, responseUrl: `${vendorsUrl}/slack/response/${k}` }).then((init) => fetch(`http://127.0.0.1:${port}/slack/commands`, init)).then((r) => r.ok && accepted.declares.add(`Crash declare ${k}`), () => null),
          );
        }
      }
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 600)));
      herald.kill("SIGKILL");
      await new Promise((resolve) => herald.once("exit", resolve));
      await Promise.allSettled(inFlight);
    }

    const herald = await start(port);
    const db = new Database(join(dir, "herald.db"), { readonly: true });
    const left = () =>
      (db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE processed_at IS NULL`).get() as { n: number }).n +
      (db.prepare(`SELECT COUNT(*) AS n FROM effects WHERE status IN ('pending', 'in_flight') AND next_attempt_at <= ?`).get(new Date(Date.now() + 5_000).toISOString()) as { n: number }).n;
    await until("the work to be done", () => left() === 0 || undefined, 180).catch((error: Error) => {
      const waiting = db.prepare(`SELECT key, kind, status, attempts, next_attempt_at, last_error FROM effects WHERE status IN ('pending', 'in_flight') LIMIT 10`).all();
      const pending = db.prepare(`SELECT id, received_at FROM deliveries WHERE processed_at IS NULL LIMIT 10`).all();
      throw new Error(`${error.message}: ${JSON.stringify({ pending, waiting }, null, 1)}`);
    });
    herald.kill("SIGTERM");
    await new Promise((resolve) => herald.once("exit", resolve));

    expect(accepted.pages.size + accepted.declares.size).toBeGreaterThan(0);
    const incidents = db.prepare(`SELECT pagerduty_id, record FROM incidents`).all() as { pagerduty_id: string | null; record: string }[];
    const titles = new Set(incidents.map((i) => JSON.parse(i.record).title as string));
    for (const id of accepted.pages) expect(incidents.some((i) => i.pagerduty_id === id), `accepted page ${id}`).toBe(true);
    for (const title of accepted.declares) expect(titles.has(title), `accepted declare ${title}`).toBe(true);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE error IS NOT NULL`).get()).toEqual({ n: 0 });

    // One room per incident (no "-2" made by a retry), no post twice, one PagerDuty incident per declare.
    const rooms = vendors.slack.rooms().filter((r) => r.name.startsWith("inc-"));
    const perIncident = new Map<string, number>();
    for (const room of rooms) {
      const number = /^inc-(\d+)-/.exec(room.name)![1]!;
      perIncident.set(number, (perIncident.get(number) ?? 0) + 1);
    }
    expect([...perIncident].filter(([, count]) => count > 1)).toEqual([]);
    expect(rooms.length).toBe(incidents.filter((i) => JSON.parse(i.record).channel).length);
    const posts = vendors.slack.calls().filter((c) => c.method === "chat.postMessage").map((c) => `${c.body.channel} ${c.body.text}`);
    const twice = posts.filter((p, i) => posts.indexOf(p) !== i);
    expect(twice).toEqual([]);
    const opened = (await (await fetch(`${vendorsUrl}/pagerduty/__incidents`)).json()) as { incident_key: string | null }[];
    const keys = opened.map((o) => o.incident_key).filter((k): k is string => k !== null);
    expect(keys.length).toBe(new Set(keys).size);
    console.log(`crash soak: ${ROUNDS} kills; ${accepted.pages.size} pages and ${accepted.declares.size} declares accepted of ${n} sent; ${incidents.length} incidents, ${rooms.length} rooms, ${posts.length} posts, ${keys.length} opened in PagerDuty; none twice`);
    db.close();
  }, 600_000);
});
