import { serve } from "@hono/node-server";
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
import { lifecycle, signedDelivery } from "../support/signed.js";
import { TEAM_CHANNELS, testEnv } from "../support/test-config.js";
import { watchLog } from "../support/log-watch.js";

const vendors = await createFakeVendors();
const fake = vendors.slack;
const server = serve({ fetch: vendors.app.fetch, port: 0, hostname: "127.0.0.1" });
const vendorsUrl = await new Promise<string>((resolve) =>
  server.once("listening", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
);
const dir = mkdtempSync(join(tmpdir(), "herald-restart-"));
const children: ChildProcess[] = [];

afterAll(() => {
  children.forEach((child) => child.kill("SIGKILL"));
  vendors.reset();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Herald as `npm start` runs it: built once for the run. */
const MAIN = "dist/node/main.mjs";
beforeAll(() => buildForNode("src/node/main.ts", MAIN));

/** Starts Herald as a user would (`npm start`), on a free port, against the fake Slack. */
async function startHerald(port: number, db = "herald.db"): Promise<ChildProcess> {
  const env = testEnv(readFileSync("herald.yaml", "utf8"), vendorsUrl);
  const configPath = join(dir, "herald.yaml");
  writeFileSync(configPath, env.HERALD_CONFIG_YAML!);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HERALD_DB: join(dir, db), HERALD_CONFIG: configPath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // What the child logs is watched for secrets like everything else.
  for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding("utf8").on("data", (text: string) => text.split("\n").forEach(watchLog));
  children.push(child);
  await until("Herald to answer /healthz", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    return response?.ok || undefined;
  });
  return child;
}

async function freePort(): Promise<number> {
  const probe = serve({ fetch: () => new Response(), port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => probe.once("listening", () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("a Node process killed mid-way", () => {
  it("posts the missing messages after restart, and none twice", async () => {
    const port = await freePort();
    let herald = await startHerald(port);
    // The summary post reaches Slack, but Herald dies before it hears back.
    await fetch(`${vendorsUrl}/slack/__fault/chat.postMessage`, { method: "POST", body: JSON.stringify({ hang: true, channel: "C00000001" }) });
    const [triggered] = lifecycle(deliveries);
    // Triggered now, so no "roles still missing" reminder is due during the test.
    const body = triggered!.body.replace("2021-06-04T13:35:29.781Z", new Date().toISOString());
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, await signedDelivery(body));
    expect(response.status).toBe(202);
    await until("the summary post", () => fake.calls().some((c) => c.method === "chat.postMessage" && c.body.channel === "C00000001") || undefined);
    herald.kill("SIGKILL");
    await new Promise((resolve) => herald.once("exit", resolve));

    herald = await startHerald(port);
    await until("the status-page draft after restart (the last post)", () =>
      fake.calls().some((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith(":memo: *Status page")) || undefined,
    );
    herald.kill("SIGTERM");
    await new Promise((resolve) => herald.once("exit", resolve));

    const posting = new Set(["conversations.create", "chat.postMessage", "conversations.history", "pins.add"]);
    const calls = fake.calls().filter((c) => posting.has(c.method));
    // The room's calls in order (the users' announcement goes its own way, beside them).
    expect(calls.filter((c) => c.body.channel !== TEAM_CHANNELS.update).map((c) => [c.method, c.body.channel ?? c.body.name])).toEqual([
      ["conversations.create", "inc-9-test-incident-3"],
      ["chat.postMessage", "C00000001"],
      // After the restart: did the summary land? It did, so it is not posted again, only pinned.
      ["conversations.history", "C00000001"],
      ["pins.add", "C00000001"],
      ["chat.postMessage", TEAM_CHANNELS.team],
      ["chat.postMessage", "C00000001"],
    ]);
    // The announcement, once, whether or not the kill caught it mid-way.
    expect(calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === TEAM_CHANNELS.update)).toHaveLength(1);
  }, 60_000);

  it("on SIGTERM stops within 10 s with a call hanging and a backlog waiting, and loses nothing", async () => {
    vendors.reset();
    const port = await freePort();
    let herald = await startHerald(port, "term.db");
    // Slack takes the first room but never answers; twenty P1 pages arrive.
    await fetch(`${vendorsUrl}/slack/__fault/conversations.create`, { method: "POST", body: JSON.stringify({ hang: true }) });
    const [triggered] = lifecycle(deliveries);
    const pages = Array.from({ length: 20 }, (_, i) => {
      const page = JSON.parse(triggered!.body);
      page.event.id = `EVT-TERM-${i}`;
      page.event.occurred_at = new Date().toISOString();
      page.event.data.id = `PTERM${i}`;
      page.event.data.number = 500 + i;
      page.event.data.title = `Page ${i}`;
      return JSON.stringify(page);
    });
    for (const page of pages) expect((await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, await signedDelivery(page))).status).toBe(202);
    await until("the hanging room call", () => fake.calls().some((c) => c.method === "conversations.create") || undefined);

    const stopping = Date.now();
    herald.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => herald.once("exit", resolve));
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(code).toBe(0);

    herald = await startHerald(port, "term.db");
    await until("every page's room", () => {
      const rooms = fake.calls().filter((c) => c.method === "conversations.create" && String(c.body.name).startsWith("inc-5"));
      const names = new Set(rooms.map((c) => String(c.body.name)));
      return names.size === 20 || undefined;
    }, 60);
    herald.kill("SIGTERM");
    await new Promise((resolve) => herald.once("exit", resolve));
    // Every page has exactly one room: the one whose answer hung was found again, not made twice.
    const rooms = fake.rooms().filter((room) => room.name.startsWith("inc-5"));
    expect(rooms).toHaveLength(20);
    expect(rooms.map((room) => room.name).sort()).toEqual(pages.map((_, i) => `inc-${500 + i}-page-${i}`).sort());
  }, 90_000);
});
