// One server under benchmark, in its own process so its CPU time is its own. Modes:
//   bare    a Hono handler that only answers 202 (to a POST anywhere)
//   verify  a Hono handler that verifies the PagerDuty signature and parses the JSON, then answers 202
//   verify-raw  the same, reading the body as Herald does on Node (straight from the connection)
//   herald  Herald itself (startNodeServer: SQLite file, background work on its own thread, Slack effects)
//   bolt    @slack/bolt 5 acking a slash command with its default HTTP receiver
//   help-ceiling  a Hono handler that reads a slash command's body and answers Herald's help text, checking nothing
// It answers IPC messages: {cmd: "cpu"} → process.cpuUsage() and the serving thread's CPU time; {cmd: "drain"} → waits for Herald's backlog;
// {cmd: "loop"} → the event loop's delay and (Herald) its handling time per request since the last ask
// (timed from the first ask on).
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { SERVER_OPTIONS, startNodeServer } from "../src/node/start-server.js";
import { verifyPagerDutySignature } from "../src/pagerduty/verify.js";
import { nodeHmac } from "../src/node/node-hmac.js";
import { readBody } from "../src/routes/read-body.js";

const mode = process.argv[2];
const secret = process.env.PAGERDUTY_WEBHOOK_SECRETS!;
let drain: () => Promise<unknown> = async () => ({});
let port: number;
let handling: number[] = [];
// Starts timing Herald's handling (see below); the first {cmd: "loop"} calls it, so a benchmark that
// never asks (bench:webhook) pays nothing for it per request.
let timeHandling: (() => void) | null = null;

if (mode === "herald") {
  const node = await startNodeServer({ ...process.env, PORT: "0" }, () => {});
  port = node.port;
  // Herald's own time for each request, from its headers read to its answer handed to the kernel:
  // what a client sees beyond this was spent outside the handler (waiting for the thread, the network).
  timeHandling = () => {
    (node.server as unknown as Server).on("request", (_request: IncomingMessage, response: ServerResponse) => {
      const started = performance.now();
      response.once("finish", () => handling.push(performance.now() - started));
    });
  };
  const counts = new Database(process.env.HERALD_DB!, { readonly: true });
  const count = (sql: string) => (counts.prepare(sql).get() as { n: number }).n;
  // After the load: how long the background takes to work off the backlog, up to DRAIN_SECONDS.
  drain = async () => {
    const started = Date.now();
    const limit = Number(process.env.DRAIN_SECONDS ?? 30) * 1000;
    const left = () => count(`SELECT COUNT(*) AS n FROM deliveries WHERE processed_at IS NULL`) +
      count(`SELECT COUNT(*) AS n FROM effects WHERE status IN ('pending', 'in_flight')`);
    // Asked once a second at most, and counted as often: an ask every few milliseconds would look
    // like requests arriving, and the background would work in short slices as it does under load.
    while (left() > 0 && Date.now() - started < limit) {
      node.background.schedule("drain");
      await new Promise((r) => setTimeout(r, 1_000));
    }
    return {
      seconds: (Date.now() - started) / 1000,
      deliveries: count(`SELECT COUNT(*) AS n FROM deliveries`),
      deliveriesLeft: count(`SELECT COUNT(*) AS n FROM deliveries WHERE processed_at IS NULL`),
      effectsDone: count(`SELECT COUNT(*) AS n FROM effects WHERE status = 'done'`),
      effectsLeft: count(`SELECT COUNT(*) AS n FROM effects WHERE status IN ('pending', 'in_flight')`),
      effectsFailed: count(`SELECT COUNT(*) AS n FROM effects WHERE status = 'failed'`),
      // Skipped on purpose: the bench configures no PagerDuty, so assignees cannot be looked up.
      effectsSkipped: count(`SELECT COUNT(*) AS n FROM effects WHERE status = 'skipped'`),
    };
  };
} else if (mode === "bolt") {
  // @slack/bolt 5 with its default HTTP receiver; botId/botUserId spare it an auth.test per request.
  const { App, LogLevel } = await import("@slack/bolt");
  const bolt = new App({
    signingSecret: process.env.SLACK_SIGNING_SECRET!,
    token: "bench-bot-token",
    botId: "B0HERALD",
    botUserId: "U0HERALD",
    logLevel: LogLevel.ERROR,
  });
  bolt.command("/incident", async ({ ack }) => {
    await ack();
  });
  const server = (await bolt.start(0)) as unknown as { address(): AddressInfo };
  port = server.address().port;
} else {
  const app = new Hono();
  if (mode === "help-ceiling") {
    const { helpReply } = await import("../src/chat/replies.js");
    const reply = JSON.stringify({ response_type: "ephemeral", text: helpReply("/incident") });
    app.post("/slack/commands", async (c) => {
      await readBody(c, { mediaType: "application/x-www-form-urlencoded", limitBytes: 64 * 1024 });
      return c.body(reply, 200, { "content-type": "application/json" });
    });
  } else if (mode === "bare") {
    app.post("*", (c) => c.json({ status: "accepted" }, 202));
  } else if (mode === "verify" || mode === "verify-raw") {
    app.post("/webhooks/pagerduty", async (c) => {
      // verify: a plain Hono handler reads the body through the Request; verify-raw reads it as
      // Herald's route does on Node (straight from the connection). Both check it like Herald.
      const body =
        mode === "verify"
          ? new Uint8Array(await c.req.arrayBuffer())
          : await readBody(c, { mediaType: "application/json", limitBytes: 256 * 1024 });
      try {
        await verifyPagerDutySignature(body, c.req.header("x-pagerduty-signature"), [secret], nodeHmac);
        JSON.parse(new TextDecoder().decode(body));
      } catch {
        return c.json({ error: "bad request" }, 400);
      }
      return c.json({ status: "accepted" }, 202);
    });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  // The baselines keep connections as Herald does, so they differ from it only in their handler.
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", serverOptions: SERVER_OPTIONS });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  port = (server.address() as AddressInfo).port;
}

// How long callbacks waited for the event loop (a request among them): reset by {cmd: "loop"}, which answers the figures since.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

/** USER_HZ, the unit of /proc's times: 100 on every Linux Node runs on. */
const CLOCK_TICKS = 100;

/**
 * The CPU time (µs) of the thread that serves requests, on Linux (null elsewhere): Herald's other
 * threads (background work, checkpoints) count in process.cpuUsage, and this one is the bottleneck.
 */
function serverThreadCpu(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // After the command name (in parentheses): state is field 3, utime and stime fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

// A clean exit, so that a CPU profile asked for with BENCH_CPU_PROF is written.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
process.on("message", async (message: { cmd: string }) => {
  if (message.cmd === "cpu") process.send!({ cpu: { ...process.cpuUsage(), serverThread: serverThreadCpu() } });
  if (message.cmd === "loop") {
    const sorted = handling.sort((a, b) => a - b);
    process.send!({
      loop: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
        handlingP99: sorted[Math.floor(0.99 * sorted.length)] ?? NaN,
        handlingMax: sorted.at(-1) ?? NaN,
      },
    });
    loopDelay.reset();
    handling = [];
    timeHandling?.();
    timeHandling = null;
  }
  if (message.cmd === "drain") process.send!({ drain: await drain() });
  if (message.cmd === "memory") {
    // After a collection, so what is counted is what is kept (node --expose-gc; else as it stands).
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ memory: process.memoryUsage() });
  }
});
process.send!({ ready: port });
