// npm run bench:workerd: what one PagerDuty event costs the Worker in workerd, the runtime Cloudflare
// runs. The Worker is bundled as `wrangler deploy` bundles it and run by Miniflare with D1, the fake
// vendors on loopback. Events are sent one at a time (EVENTS, default 1,000: incidents triggered as
// P1 or P3, then acknowledged, noted, raised to P1 and resolved; the PagerDuty fixtures with fresh
// ids), without the Queue binding: each event's request is one invocation, with the pipeline in its
// waitUntil. An event's work that does not fit the invocation's D1 budget goes on in the next one,
// so the counts below are per invocation, which is what Cloudflare's limits count.
//
// Per event it measures:
// - Subrequests: the calls that reached the fake vendors (Cloudflare's limit is 50 per invocation
//   on the free plan; Herald's target is at most 20).
// - D1: the queries the Worker sent, and the round trips they took (a `batch` is one round trip of
//   several queries). Cloudflare's limit is 50 queries per invocation on the free plan. An entry
//   module of this benchmark's own wraps the Worker and counts them; Herald itself is unchanged.
// - CPU time of the whole workerd process (the scheduler's count in /proc, every thread), from the
//   request until workerd falls quiet. This is an upper bound, far above what Cloudflare bills the
//   Worker: it also counts Miniflare's own layers, the HTTP in and out, and D1's SQLite, which on
//   Cloudflare runs elsewhere. The same run measures that floor: a request the Worker refuses at
//   once (401), and a request that makes one D1 query.
// What is not measured here: the isolate's own CPU time. Locally workerd reports a trace's cpuTime as
// 0 and its clock stands still while code runs; bench/workerd-cpu.ts measures workerd with nothing
// but the Worker in its process, and bench/worker-cpu.ts estimates the Worker's own work in V8 on Node.
import { serve } from "@hono/node-server";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { percentile, spread } from "./bench-kit.js";
import { event, KINDS } from "./pagerduty-events.js";
import { deployBundle, migrationStatements } from "../test/support/workerd-process.js";
import { createFakeVendors } from "../test/support/fake-vendors.js";
import { testEnv } from "../test/support/test-config.js";

const EVENTS = Number(process.env.EVENTS ?? 1_000);
/** The work of an event is over when workerd has used less than this much CPU in QUIET_MS, QUIET_WINDOWS times running. */
const QUIET_CPU_MS = 0.3;
const QUIET_MS = 40;
const QUIET_WINDOWS = 3;

/** CPU time of every thread of a process so far, in ms (the scheduler's own count, in ns). */
function processCpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return ns / 1e6;
}

function workerdPid(): number {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
  const line = out.split("\n").find((l) => l.trim().endsWith("workerd"));
  if (!line) throw new Error("workerd is not running under this process");
  return Number(line.trim().split(/\s+/)[0]);
}


const progress = (line: string) => process.env.BENCH_VERBOSE && console.error(`[bench] ${line}`);

interface Measured {
  kind: string;
  status: number;
  processMs: number;
  calls: number;
  roundTrips: number;
  queries: number;
}

/**
 * The Worker behind an entry that counts its D1 calls: each statement run (`all`, `first`, `run`,
 * `raw`) and each `batch` is a round trip, and a batch's statements are queries each. The counts are
 * read at /__bench/d1; /__bench/query makes one query, and /__bench/state says what is on the record
 * (not Worker routes: the entry answers them, inside workerd).
 */
const COUNTING_ENTRY = `import worker from "./index.js";
const counts = { roundTrips: 0, queries: 0 };
const inner = new WeakMap();
function counted(statement) {
  const proxy = new Proxy(statement, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "bind") return (...params) => counted(value.apply(target, params));
      if (["all", "first", "run", "raw"].includes(name)) return (...args) => { counts.roundTrips++; counts.queries++; return value.apply(target, args); };
      return value.bind(target);
    },
  });
  inner.set(proxy, statement);
  return proxy;
}
function countedDb(db) {
  return {
    prepare: (sql) => counted(db.prepare(sql)),
    batch: (statements) => { counts.roundTrips++; counts.queries += statements.length; return db.batch(statements.map((s) => inner.get(s) ?? s)); },
    exec: (sql) => { counts.roundTrips++; counts.queries++; return db.exec(sql); },
  };
}
const envs = new WeakMap();
function wrapped(env) {
  let found = envs.get(env);
  if (!found) envs.set(env, (found = { ...env, DB: countedDb(env.DB) }));
  return found;
}
export default {
  fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === "/__bench/d1") return Response.json(counts);
    // The floor: a request that makes one D1 query and nothing else.
    if (path === "/__bench/query") return env.DB.prepare("SELECT count(*) AS n FROM incidents WHERE status = 'open'").first().then((row) => Response.json(row));
    if (path === "/__bench/state") return env.DB.prepare(
      "SELECT (SELECT count(*) FROM incidents) AS incidents, (SELECT count(*) FROM effects WHERE status IN ('pending', 'in_flight')) AS left, (SELECT count(*) FROM effects WHERE status = 'failed') AS gaveUp",
    ).first().then((row) => Response.json(row));
    return worker.fetch(request, wrapped(env), ctx);
  },
  queue: (batch, env, ctx) => worker.queue(batch, wrapped(env), ctx),
  scheduled: (controller, env, ctx) => worker.scheduled(controller, wrapped(env), ctx),
};
`;

/** A Worker in workerd with a fresh D1, the fake vendors counting what reaches them. */
async function startWorker(bundle: string) {
  const vendors = await createFakeVendors();
  const counter = { calls: 0 };
  const server = serve({ fetch: (request) => (counter.calls++, vendors.app.fetch(request)), port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const vendorsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(join(bundle, "bench-entry.js"), COUNTING_ENTRY);
  const mf = new Miniflare({
    // Listed, not located: the bundle's own imports (node:*) are the runtime's.
    modules: ["bench-entry.js", "index.js"].map((file) => ({ type: "ESModule" as const, path: join(bundle, file) })),
    modulesRoot: bundle,
    compatibilityDate: readFileSync("wrangler.toml", "utf8").match(/compatibility_date = "([\d-]+)"/)![1],
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "herald-bench" },
    bindings: testEnv(readFileSync("herald.yaml", "utf8"), vendorsUrl),
  });
  await mf.ready;
  const db = await mf.getD1Database("DB");
  for (const statement of migrationStatements()) await db.prepare(statement).run();
  const pid = workerdPid();
  return {
    mf,
    pid,
    counter,
    async d1(): Promise<{ roundTrips: number; queries: number }> {
      return (await (await mf.dispatchFetch("http://herald.bench/__bench/d1")).json()) as { roundTrips: number; queries: number };
    },
    async state(): Promise<{ incidents: number; left: number; gaveUp: number }> {
      return (await (await mf.dispatchFetch("http://herald.bench/__bench/state")).json()) as { incidents: number; left: number; gaveUp: number };
    },
    async send(n: number) {
      const { kind, body, headers } = event(n);
      const response = await mf.dispatchFetch("http://herald.bench/webhooks/pagerduty", {
        method: "POST",
        body,
        headers,
      });
      await response.arrayBuffer();
      progress(`event ${n} (${kind}): ${response.status}`);
      return { kind, status: response.status };
    },
    async stop() {
      await mf.dispose();
      server.close();
    },
  };
}

/** Until workerd has been (nearly) idle for a while: the event's background work is over. */
async function waitForQuiet(pid: number) {
  let quiet = 0;
  let before = processCpuMs(pid);
  while (quiet < QUIET_WINDOWS) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    const now = processCpuMs(pid);
    quiet = now - before < QUIET_CPU_MS ? quiet + 1 : 0;
    before = now;
  }
}

/** The process CPU that each of `times` calls of `work` costs, median of five rounds (ms). */
async function floor(pid: number, work: () => Promise<unknown>, times = 100): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    await waitForQuiet(pid);
    const before = processCpuMs(pid);
    for (let i = 0; i < times; i++) await work();
    rounds.push((processCpuMs(pid) - before) / times);
  }
  return percentile(rounds, 50);
}

async function main() {
  const bundle = deployBundle();
  const worker = await startWorker(bundle);
  await waitForQuiet(worker.pid);
  const rows: Measured[] = [];
  for (let n = 0; n < EVENTS; n++) {
    const cpuBefore = processCpuMs(worker.pid);
    const callsBefore = worker.counter.calls;
    const d1Before = await worker.d1();
    const { kind, status } = await worker.send(n);
    await waitForQuiet(worker.pid);
    const processMs = processCpuMs(worker.pid) - cpuBefore;
    const d1 = await worker.d1();
    rows.push({ kind, status, processMs, calls: worker.counter.calls - callsBefore, roundTrips: d1.roundTrips - d1Before.roundTrips, queries: d1.queries - d1Before.queries });
  }
  const { incidents, left, gaveUp } = await worker.state();
  const refused = await floor(worker.pid, async () => (await worker.mf.dispatchFetch("http://herald.bench/api/incidents")).arrayBuffer());
  const query = await floor(worker.pid, async () => (await worker.mf.dispatchFetch("http://herald.bench/__bench/query")).arrayBuffer());
  await worker.stop();
  rmSync(bundle, { recursive: true, force: true });

  const failed = rows.filter((r) => r.status !== 202);
  const line = (label: string, of: Measured[]) => {
    return `| ${label} | ${of.length} | ${spread(of.map((r) => r.calls), 0)} | ${spread(of.map((r) => r.queries), 0)} | ${spread(of.map((r) => r.roundTrips), 0)} | ${spread(of.map((r) => r.processMs), 1)} |`;
  };
  // The first event also starts the isolate (Herald's configuration and templates are built then).
  const warm = rows.slice(1);
  console.log(`workerd (Miniflare, the deploy bundle, D1, no Queue): ${EVENTS} PagerDuty events one at a time, each with its background work\n`);
  console.log("| events | n | subrequests p50 / p99 / max | D1 queries p50 / p99 / max | D1 round trips p50 / p99 / max | whole workerd process CPU ms, p50 / p99 / max |");
  console.log("|---|---|---|---|---|---|");
  console.log(line("all but the first", warm));
  for (const kind of KINDS) console.log(line(kind, warm.filter((r) => r.kind === kind)));
  console.log(line("the first (the isolate starts)", rows.slice(0, 1)));
  console.log(
    `\nThe floor in the same process: a request the Worker refuses at once (401) costs ${refused.toFixed(1)} ms; a request that makes one D1 query, ${query.toFixed(1)} ms.` +
      `\nTargets: subrequests at most 20 per event (Cloudflare's limit: 50 per invocation on the free plan; D1's: 50 queries); the isolate's CPU p99 under 2 ms (not measurable in workerd; npm run bench:worker-cpu estimates it).` +
      `\n${incidents} incidents recorded; ${failed.length} requests refused; ${left} effects left undone, ${gaveUp} given up.`,
  );
}

await main();
process.exit(0);
