// npm run bench:worst-day: Herald on Node under a bad day's traffic, measured end to end.
//   1. Mixed signed traffic from BENCH_CONNECTIONS (100) connections for BENCH_SECONDS (60): new
//      PagerDuty pages (P3), acknowledgements, slash commands (a note in an incident's room, help),
//      button clicks, and console posts (a signed-in person's command box: help in the team room,
//      with the session cookie, the CSRF token and a fresh one-time id each). Errors, ack latency
//      p50/p99, and the server's memory at rest: before (once every kind of request has been
//      served) and after the backlog drains.
//   2. Page → announcement: during that load, a P1 page every 300 ms (PAGES, 200); for each, the time
//      from sending it signed to the users' announcement reaching the fake Slack's update channel.
//   3. The same for one P1 sent right after BACKLOG (10,000) P3 pages were accepted.
//   4. The mix of 1 at a steady BENCH_RATE (1,000/s) for PACED_SECONDS (20), evenly spaced over up to
//      100 connections, the backlog of 3 still being worked off: ack latency when requests come at a
//      given rate rather than as fast as they are answered (then latency is connections ÷
//      throughput, whatever the server does). The same load against a handler that only answers 202
//      is the baseline: what this machine and this load generator cost by themselves.
// Herald, the fake Slack that receives its calls, and the baseline each run in their own process.
import autocannon from "autocannon";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ask, openLoop, percentile, startHelper, startServer, type NextRequest, type OpenLoopResult } from "./bench-kit.js";
import { ConsoleClient } from "../test/support/console-client.js";
import { SLACK_TEST_TOKEN, toTestConfig } from "../test/support/test-config.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const PAGES = Number(process.env.PAGES ?? 200);
const BACKLOG = Number(process.env.BACKLOG ?? 10_000);
/** The steady rate of the last phase (requests/s over all connections), and its length. */
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const PACED_SECONDS = Number(process.env.PACED_SECONDS ?? 20);
/** How long Herald rests before its memory is read, before the load and after the drain. */
const SETTLE_SECONDS = Number(process.env.SETTLE_SECONDS ?? 15);
const PD_SECRET = "bench-webhook-secret";
const SLACK_SECRET = "bench-slack-signing-secret";
const API_TOKEN = "bench-api-token";

const triggered = JSON.parse(readFileSync("test/fixtures/pagerduty/zulip_triggered_v3.json", "utf8"));
const acknowledged = JSON.parse(readFileSync("test/fixtures/pagerduty/zulip_acknowledged_v3.json", "utf8"));

let n = 0;
function page(priority: "P1" | "P3", title: string): { id: string; body: string } {
  const i = ++n;
  triggered.event.id = `WD${i}-${randomUUID()}`;
  triggered.event.occurred_at = new Date().toISOString();
  triggered.event.data.id = `PWD${i}`;
  triggered.event.data.number = i;
  triggered.event.data.title = title;
  triggered.event.data.priority = { id: `PPRIO${priority}`, type: "priority_reference", summary: priority };
  return { id: `PWD${i}`, body: JSON.stringify(triggered) };
}

function ack(incidentId: string): string {
  acknowledged.event.id = `WDA-${randomUUID()}`;
  acknowledged.event.occurred_at = new Date().toISOString();
  acknowledged.event.data.id = incidentId;
  return JSON.stringify(acknowledged);
}

const pdHeaders = (body: string) => ({ "content-type": "application/json", "x-pagerduty-signature": `v1=${createHmac("sha256", PD_SECRET).update(body).digest("hex")}` });

function slackHeaders(body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": timestamp, "x-slack-signature": signature };
}

let trigger = 0;
function slashCommand(text: string, channel: string): string {
  return new URLSearchParams({
    token: "legacy", team_id: "T0BENCH", channel_id: channel, channel_name: "inc", user_id: "U0ADA0001", user_name: "ada",
    command: "/incident", text, response_url: "https://hooks.slack.com/commands/T0BENCH/1/abc", trigger_id: `wd.${++trigger}`, api_app_id: "A0HERALD",
  }).toString();
}

function click(channel: string): string {
  const payload = {
    type: "block_actions", user: { id: "U0GRACE01", username: "grace", name: "grace", team_id: "T0BENCH" }, api_app_id: "A0HERALD", token: "legacy",
    container: { type: "message", channel_id: channel, message_ts: "1.1" }, trigger_id: `wd.${++trigger}`, team: { id: "T0BENCH" },
    channel: { id: channel, name: "inc" }, response_url: "https://hooks.slack.com/actions/T0BENCH/1/abc",
    actions: [{ type: "button", action_id: "volunteer_scribe", block_id: "b", value: "scribe", action_ts: "1.2" }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}


async function main(): Promise<void> {
  // The fake Slack, telling the moment each users' announcement arrives (on this process's clock).
  const slack = await startHelper("bench/fake-slack-server.ts");
  const announced = new Map<string, number>();
  slack.child.on("message", (m: { announced?: string; at?: number }) => {
    if (m.announced && m.at !== undefined) announced.set(m.announced, m.at - performance.timeOrigin);
  });
  const slackUrl = `http://127.0.0.1:${slack.port}`;
  const dir = mkdtempSync(join(tmpdir(), "herald-worst-day-"));
  writeFileSync(join(dir, "herald.yaml"), toTestConfig(readFileSync("herald.yaml", "utf8")));
  const { child, port } = await startServer("herald", {
    PAGERDUTY_WEBHOOK_SECRETS: PD_SECRET,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    HERALD_API_TOKEN: API_TOKEN,
    HERALD_DB: join(dir, "herald.db"),
    HERALD_CONFIG: join(dir, "herald.yaml"),
    SLACK_BOT_TOKEN: SLACK_TEST_TOKEN,
    SLACK_API_URL: `${slackUrl}/api/`,
    // Memory is compared once the backlog is worked off: give it time.
    DRAIN_SECONDS: process.env.DRAIN_SECONDS ?? "900",
  });
  const base = `http://127.0.0.1:${port}`;
  // RSS, and the JS heap in use after a collection (what Herald keeps, without the allocator's and SQLite's pages).
  const memory = async () => {
    const usage = await ask<NodeJS.MemoryUsage>(child, "memory", "memory");
    return { rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 };
  };

  // A few incidents with rooms, for the commands and clicks to land in.
  const seeded: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { id, body } = page("P3", `Seed ${i}`);
    seeded.push(id);
    await fetch(`${base}/webhooks/pagerduty`, { method: "POST", headers: pdHeaders(body), body });
  }
  await ask(child, "drain", "drain");
  const rooms = await ask<string[]>(slack.child, "rooms", "rooms");
  // Someone signed in to the console, typing in the team's room.
  const person = await ConsoleClient.signIn((path, init) => fetch(`${base}${path}`, init), "ada", API_TOKEN);
  const consoleHeaders = { "content-type": "application/x-www-form-urlencoded", cookie: person.cookieHeader(), origin: base };
  const consolePost = () => new URLSearchParams({ _csrf: person.csrf, _once: randomUUID(), text: "help" }).toString();

  // One request of the mix, each built fresh (new ids, signatures and one-time form ids).
  let k = 0;
  const nextMixed: NextRequest = () => {
    const room = rooms[k % rooms.length] ?? "C0BENCH";
    switch (k++ % 6) {
      case 0: {
        const { body } = page("P3", `Load ${k}`);
        return { path: "/webhooks/pagerduty", body, headers: pdHeaders(body) };
      }
      case 1: {
        const body = ack(seeded[k % seeded.length]!);
        return { path: "/webhooks/pagerduty", body, headers: pdHeaders(body) };
      }
      case 2: {
        const body = slashCommand(`note load ${k}`, room);
        return { path: "/slack/commands", body, headers: slackHeaders(body) };
      }
      case 3: {
        const body = slashCommand("help", room);
        return { path: "/slack/commands", body, headers: slackHeaders(body) };
      }
      case 4: {
        const body = click(room);
        return { path: "/slack/interactions", body, headers: slackHeaders(body) };
      }
      default:
        return { path: "/console/rooms/team/say", body: consolePost(), headers: consoleHeaders };
    }
  };
  const mixedRequests: autocannon.Request[] = [{ method: "POST", setupRequest: (request) => ({ ...request, ...nextMixed() }) }];

  // Memory is compared between two quiet moments: before, once every kind of request has been served
  // and its work done (a cold process has not yet compiled most of Herald, which would count as
  // growth); after, once the flood's backlog is worked off. Each time the process first rests
  // SETTLE_SECONDS, so what is counted is what it keeps, not what is still on its way out (the Slack
  // SDK's per-call timers run 10 s; V8 gives pages back when idle).
  const settled = async () => {
    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    return memory();
  };
  const memoryCold = await memory();
  await autocannon({ url: base, connections: 10, duration: 2, requests: mixedRequests });
  await ask(child, "drain", "drain");
  const memoryBefore = await settled();

  // 1 and 2: the mixed load as fast as it is answered, with a P1 page every 300 ms beside it.
  const mixed = autocannon({ url: base, connections: CONNECTIONS, duration: SECONDS, requests: mixedRequests });
  const sent = new Map<string, number>();
  const pager = (async () => {
    for (let i = 0; i < PAGES; i++) {
      const { body } = page("P1", `LATENCY-${i}`);
      sent.set(`LATENCY-${i}`, performance.now());
      await fetch(`${base}/webhooks/pagerduty`, { method: "POST", headers: pdHeaders(body), body });
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  const [result] = await Promise.all([mixed, pager]);
  const drained = await ask<Record<string, number>>(child, "drain", "drain");
  const memoryDrained = await memory();
  const memoryAfter = await settled();
  const latencies = [...sent].flatMap(([marker, at]) => (announced.has(marker) ? [announced.get(marker)! - at] : []));

  // 3: one P1 right behind a backlog of P3 pages.
  const backlog = await autocannon({
    url: base,
    connections: CONNECTIONS,
    amount: BACKLOG,
    requests: [{ method: "POST", setupRequest: (request) => {
      const { body } = page("P3", "Backlog");
      return { ...request, path: "/webhooks/pagerduty", body, headers: pdHeaders(body) };
    } }],
  });
  const { body } = page("P1", "LATENCY-backlog");
  const behind = performance.now();
  await fetch(`${base}/webhooks/pagerduty`, { method: "POST", headers: pdHeaders(body), body });
  while (!announced.has("LATENCY-backlog") && performance.now() - behind < 120_000) await new Promise((r) => setTimeout(r, 5));
  const backlogLatency = (announced.get("LATENCY-backlog") ?? NaN) - behind;

  // 4: the same mix at a steady rate, while the backlog of 3 is still being worked off; then the
  // same load against the baseline.
  const pacedLoad = { rate: RATE, seconds: PACED_SECONDS, connections: CONNECTIONS, next: nextMixed };
  await ask(child, "loop", "loop");
  const paced = await openLoop(port, pacedLoad);
  const pacedLoop = await ask<{ p50: number; p99: number; max: number; handlingP99: number; handlingMax: number }>(child, "loop", "loop");
  child.kill();
  slack.child.kill();
  rmSync(dir, { recursive: true, force: true });
  const bare = await startServer("bare", {});
  const pacedBare = await openLoop(bare.port, pacedLoad);
  bare.child.kill();

  // The console answers a form with a 303 to the room: that is success, like the 2xx of the rest.
  const failures = (r: autocannon.Result) => r.errors + r.timeouts + r["1xx"] + r["4xx"] + r["5xx"];
  const errors = failures(result);
  console.log(`Mixed signed traffic: ${CONNECTIONS} connections for ${SECONDS} s (new P3 pages, acknowledgements, /incident note, /incident help, button clicks, console posts)`);
  console.log(`| requests | errors (refused, 4xx, 5xx, timeouts) | ack p50 ms | ack p99 ms | before MiB (rss / heap) | after drain and rest MiB (rss / heap) | after ÷ before (rss / heap) |`);
  console.log(`|---|---|---|---|---|---|---|`);
  console.log(`| ${result.requests.total} | ${errors} | ${result.latency.p50} | ${result.latency.p99} | ${memoryBefore.rss.toFixed(0)} / ${memoryBefore.heap.toFixed(0)} | ${memoryAfter.rss.toFixed(0)} / ${memoryAfter.heap.toFixed(0)} | ${(memoryAfter.rss / memoryBefore.rss).toFixed(2)} / ${(memoryAfter.heap / memoryBefore.heap).toFixed(2)} |`);
  console.log(`Cold, before the first request of most kinds: ${memoryCold.rss.toFixed(0)} / ${memoryCold.heap.toFixed(0)} MiB (rss / heap).`);
  console.log(`Right after the drain, before resting: ${memoryDrained.rss.toFixed(0)} / ${memoryDrained.heap.toFixed(0)} MiB (rss / heap).`);
  console.log(`Backlog after the load: ${drained.deliveriesLeft} deliveries and ${drained.effectsLeft} effects left after ${drained.seconds} s of draining (cut at DRAIN_SECONDS); ${drained.effectsDone} effects done in all, ${drained.effectsFailed} failed, ${drained.effectsSkipped} skipped (assignees, with no PagerDuty configured to look them up in; topics and announcement edits that a later one overwrote).`);
  const pacedRow = (name: string, r: OpenLoopResult) =>
    `| ${name} | ${r.total} | ${r.errors} | ${percentile(r.latencies, 50).toFixed(1)} | ${percentile(r.latencies, 99).toFixed(1)} | ${Math.max(...r.latencies).toFixed(0)} |`;
  console.log(`\nThe same mix at a steady ${RATE} requests/s, evenly spaced over up to ${CONNECTIONS} connections, for ${PACED_SECONDS} s (latency from when each request was due):`);
  console.log(`| server | requests | errors | ack p50 ms | ack p99 ms | ack max ms |`);
  console.log(`|---|---|---|---|---|---|`);
  console.log(pacedRow("Herald, its backlog still being worked off", paced));
  console.log(pacedRow("baseline: a handler that only answers 202", pacedBare));
  const split = (r: OpenLoopResult) =>
    `on connections opened for them ${r.onNewConnection.length}, p99 ${percentile(r.onNewConnection, 99).toFixed(1)} ms; on connections already open, p99 ${percentile(r.onOpenConnection, 99).toFixed(1)} ms`;
  console.log(`Herald's requests ${split(paced)}. The baseline's ${split(pacedBare)}.`);
  const kinds = (r: OpenLoopResult) => [...r.errorKinds].map(([kind, n]) => `${n} × ${kind}`).join(", ");
  if (paced.errors > 0) console.log(`Herald's errors: ${kinds(paced)}.`);
  if (pacedBare.errors > 0) console.log(`The baseline's errors: ${kinds(pacedBare)}.`);
  console.log(`Herald's event loop meanwhile, delay p50 / p99 / max: ${pacedLoop.p50.toFixed(1)} / ${pacedLoop.p99.toFixed(1)} / ${pacedLoop.max.toFixed(0)} ms`);
  console.log(`Herald's own handling meanwhile, from a request's headers read to its answer handed to the kernel, p99 / max: ${pacedLoop.handlingP99.toFixed(1)} / ${pacedLoop.handlingMax.toFixed(0)} ms`);
  const generator = (r: OpenLoopResult) => `${r.generatorLoop.p99.toFixed(1)} / ${r.generatorLoop.max.toFixed(0)} ms`;
  console.log(`The load generator's own event loop (an answer it reads late counts as latency), delay p99 / max: ${generator(paced)} during Herald's run, ${generator(pacedBare)} during the baseline's`);
  console.log(`Herald ÷ baseline, p99: ${(percentile(paced.latencies, 99) / percentile(pacedBare.latencies, 99)).toFixed(2)}`);
  console.log(`(As fast as answered, a closed loop's latency is its connections ÷ its rate: ${CONNECTIONS} ÷ ${(result.requests.total / SECONDS).toFixed(0)}/s ≈ ${((CONNECTIONS / (result.requests.total / SECONDS)) * 1000).toFixed(0)} ms.)`);
  console.log(`\nPage → users' announcement (signed P1 incident.triggered sent → post to the update channel at the fake Slack):`);
  console.log(`| when | pages | announced | p50 ms | p99 ms |`);
  console.log(`|---|---|---|---|---|`);
  console.log(`| under the mixed load | ${sent.size} | ${latencies.length} | ${percentile(latencies, 50).toFixed(0)} | ${percentile(latencies, 99).toFixed(0)} |`);
  console.log(`| one P1 after ${backlog.requests.total} P3 pages (${backlog.non2xx + backlog.errors} refused) | 1 | ${Number.isNaN(backlogLatency) ? 0 : 1} | ${backlogLatency.toFixed(0)} | ${backlogLatency.toFixed(0)} |`);
  console.log(`\nTargets: zero errors; ack p99 under 20 ms; memory after within 20% of before; page → announcement p99 under 1 s in both.`);
  process.exit(0);
}

void main();
