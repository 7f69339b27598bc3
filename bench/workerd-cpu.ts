// npm run bench:workerd-cpu: the CPU one PagerDuty event costs inside workerd, the runtime Cloudflare
// runs, with nothing else in its process. bench:workerd runs the Worker under Miniflare, whose own
// layers and D1's SQLite share workerd's process and thread, so its CPU figure is far above the
// Worker's; bench:worker-cpu counts the Worker's own work, but in V8 on Node, where what workerd has
// built in (fetch, D1's binding) is left out or is Node's JavaScript. Here workerd is started on its
// own (`workerd serve`) with the deploy bundle alone in it, and everything the Worker talks to is
// outside its process:
// - D1: the binding is workerd's own (`cloudflare-internal:d1-api`, as Miniflare and Cloudflare give
//   it), its queries sent over HTTP to this process, which runs them on SQLite in memory;
// - the fake vendors, over loopback, in this process.
// So workerd's CPU is the isolate's work, D1's binding and fetch included, plus the runtime's own
// loopback HTTP for the request, each vendor call and each D1 round trip. That is an upper bound on
// what Cloudflare counts against the Worker's CPU limit: how much of a call's cost its network takes
// there cannot be measured here.
//
// Events (bench:workerd's, EVENTS of them, 1,000 by default) go one at a time, each with its
// background work in its invocation (no Queue). An entry of this benchmark's own wraps the Worker: once
// the invocation's waitUntil work has settled it calls this process back, and the next event goes at
// once, so workerd never sleeps between events (on this machine a thread that has just slept runs
// its next request several times slower). An event's CPU is the scheduler's count in /proc from its
// request to its call-back, for workerd's busiest thread (the one that runs the isolate; the others
// are V8's helpers, for garbage collection and compiles) and for all of its threads.
//
// The whole run is made PASSES times (3 by default), each with a fresh workerd and database; each
// event's least over the passes is shown beside the first pass's figures, as bench:worker-cpu does.
// Measured in the same workerd, to read the figures by:
// - the floor: a request that only calls back;
// - one D1 round trip (`SELECT 1`) and one fetch of a tiny answer, each from ten in a request;
// - the same JavaScript (JSON and sorting) in workerd and in this Node, to compare the two V8s.
// And a fresh isolate's first request (COLD_STARTS fresh workerds for each: GET /healthz with
// herald.yaml built in and given as HERALD_CONFIG_YAML, and a P1 page), which runs Herald's code for
// the first time: what Cloudflare's 10 ms a request meets after every new isolate.
// PROFILE=file.cpuprofile: a V8 CPU profile of the isolate over the first pass's events (through
// workerd's inspector; it slows every event, so that run's figures are not comparable with others).
import { serve } from "@hono/node-server";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { percentile } from "./bench-kit.js";
import { event, eventTable, leastOver, type EventColumn } from "./pagerduty-events.js";
import { createFakeVendors } from "../test/support/fake-vendors.js";
import { testEnv } from "../test/support/test-config.js";
import { d1Backend, deployBundle, freePort, serveD1, startWorkerd, WORKERD } from "../test/support/workerd-process.js";

const EVENTS = Number(process.env.EVENTS ?? 1_000);
const PASSES = Number(process.env.PASSES ?? 3);
const PROFILE = process.env.PROFILE;
/** Fresh workerds for the cold-start figure, for each way of giving herald.yaml. */
const COLD_STARTS = Number(process.env.COLD_STARTS ?? 10);
/** PROFILE_COLD=file.cpuprofile: a V8 CPU profile of one fresh isolate's first request, a P1 page. */
const PROFILE_COLD = process.env.PROFILE_COLD;
/** Requests of each probe (the floor, D1, fetch, JavaScript) a pass. */
const PROBES = 200;
/** The scheduler's count of CPU time (ns) for each thread of a process so far, by thread id. */
function threadCpuNs(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(task, Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]));
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return threads;
}

/** CPU (ms) between two readings: the one thread that used the most, and all of them. */
function cpuBetween(before: Map<string, number>, after: Map<string, number>): { threadMs: number; processMs: number } {
  let processNs = 0;
  let threadNs = 0;
  for (const [task, ns] of after) {
    const used = ns - (before.get(task) ?? 0);
    processNs += used;
    threadNs = Math.max(threadNs, used);
  }
  return { threadMs: threadNs / 1e6, processMs: processNs / 1e6 };
}

/** The same JavaScript in workerd (its source goes into the entry below) and here: JSON in and out, and a sort. */
function spin(body: string): number {
  let n = 0;
  for (let i = 0; i < 200; i++) {
    const o = JSON.parse(body);
    o.i = i;
    n += JSON.stringify(o).length;
    const a = Array.from({ length: 200 }, (_, k) => (k * 7919) % 211);
    a.sort((x, y) => x - y);
    n += a[3]!;
  }
  return n;
}

/**
 * The bundle behind an entry that calls `${BENCH_CALLBACK}/done?id=` (the request's `x-bench-request`)
 * once the invocation's waitUntil work has settled. The probes' paths are the entry's, not Herald's.
 */
const CALLING_BACK_ENTRY = `import worker from "./index.js";
const spin = ${spin.toString()};
const probes = {
  "/__bench/floor": async () => null,
  "/__bench/d1": async (request, env) => { for (let i = 0; i < 10; i++) await env.DB.prepare("SELECT 1 AS one").first(); return null; },
  "/__bench/fetch": async (request, env) => { for (let i = 0; i < 10; i++) await (await fetch(env.BENCH_CALLBACK + "/tiny", { method: "POST", body: "{}" })).text(); return null; },
  "/__bench/spin": async (request) => String(spin(await request.text())),
};
export default {
  async fetch(request, env, ctx) {
    const waits = [];
    const callBack = () => ctx.waitUntil((async () => {
      while (waits.length > 0) await Promise.allSettled(waits.splice(0));
      await (await fetch(env.BENCH_CALLBACK + "/done?id=" + request.headers.get("x-bench-request"), { method: "POST" })).arrayBuffer();
    })());
    const probe = probes[new URL(request.url).pathname];
    if (probe) {
      const body = await probe(request, env);
      callBack();
      return new Response(body);
    }
    const ours = { waitUntil: (promise) => { waits.push(promise); ctx.waitUntil(promise); }, passThroughOnException: () => ctx.passThroughOnException(), props: ctx.props };
    try {
      return await worker.fetch(request, env, ours);
    } finally {
      callBack();
    }
  },
};
`;

interface Measured {
  kind: string;
  status: number;
  threadMs: number;
  processMs: number;
  calls: number;
  roundTrips: number;
}

async function main() {
  const bundle = deployBundle();
  writeFileSync(join(bundle, "bench-entry.js"), CALLING_BACK_ENTRY);

  const vendors = await createFakeVendors();
  const counted = { calls: 0 };
  const vendorServer = serve({ fetch: (request) => (counted.calls++, vendors.app.fetch(request)), port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((done) => vendorServer.once("listening", () => done()));
  const vendorsUrl = `http://127.0.0.1:${(vendorServer.address() as AddressInfo).port}`;

  // D1's round trips, the probes' tiny answers and the Worker's call-backs, in this process.
  const d1 = d1Backend();
  const calledBack = new Map<string, () => void>();
  const backend = await serveD1(d1, (url, response) => {
    if (url.pathname === "/done") {
      response.writeHead(204).end();
      const id = url.searchParams.get("id") ?? "";
      calledBack.get(id)?.();
      calledBack.delete(id);
      return true;
    }
    if (url.pathname === "/tiny") {
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
      return true;
    }
    return false;
  });
  const backendAddress = backend.address;

  const env = { ...testEnv(readFileSync("herald.yaml", "utf8"), vendorsUrl), BENCH_CALLBACK: `http://${backendAddress}` };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  let requests = 0;
  /** One request, and what workerd spent on it until its waitUntil work called back. */
  const measure = async (pid: number, kind: string, path: string, init: RequestInit = { method: "POST" }): Promise<Measured> => {
    const id = String(++requests);
    const settled = new Promise<void>((done) => calledBack.set(id, done));
    const calls = counted.calls;
    const roundTrips = d1.roundTrips;
    const before = threadCpuNs(pid);
    const response = await fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), "x-bench-request": id } });
    await response.arrayBuffer();
    await settled;
    const cpu = cpuBetween(before, threadCpuNs(pid));
    return { kind, status: response.status, ...cpu, calls: counted.calls - calls, roundTrips: d1.roundTrips - roundTrips };
  };

  /**
   * A fresh workerd and database, ready once it has answered the entry's floor (Herald's own code
   * has then run only as the isolate started), with its inspector open when profiled.
   */
  const freshWorkerd = async (workerdEnv: Record<string, string>, profile: boolean) => {
    d1.reset();
    vendors.reset();
    const inspectorPort = profile ? await freePort() : 0;
    const workerd = await startWorkerd({
      bundle,
      entry: "bench-entry.js",
      env: workerdEnv,
      backend: backendAddress,
      port,
      readyPath: "/__bench/floor",
      extraArgs: profile ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : [],
    });
    // Until workerd has called back for the readiness check, so that its call-back is not counted.
    await measure(workerd.pid!, "ready", "/__bench/floor");
    return { workerd, startProfiler: () => startProfiler(inspectorPort) };
  };

  /** A fresh workerd and database, every event sent in turn, then the probes. */
  const pass = async (profile: boolean) => {
    const { workerd, startProfiler } = await freshWorkerd(env, profile);
    try {
      const profiler = profile ? await startProfiler() : null;
      const rows: Measured[] = [];
      for (let n = 0; n < EVENTS; n++) {
        const { kind, body, headers } = event(n);
        rows.push(await measure(workerd.pid!, kind, "/webhooks/pagerduty", { method: "POST", body, headers }));
      }
      if (profiler) writeFileSync(PROFILE!, JSON.stringify(await profiler.stop()));
      const probes: Measured[] = [];
      const body = event(0).body;
      for (const [kind, path, init] of [
        ["floor", "/__bench/floor", undefined],
        ["d1", "/__bench/d1", undefined],
        ["fetch", "/__bench/fetch", undefined],
        ["spin", "/__bench/spin", { method: "POST", body }],
      ] as const) {
        for (let n = 0; n < PROBES; n++) probes.push(await measure(workerd.pid!, kind, path, init));
      }
      return { rows, probes };
    } finally {
      workerd.kill("SIGKILL");
    }
  };

  /**
   * A fresh isolate's first request: a workerd started and asked only the entry's floor (so the
   * runtime has served a request, and Herald's code has not run), then one request:
   * - GET /healthz (one D1 query), with herald.yaml as the deploy builds it in, and given as
   *   HERALD_CONFIG_YAML;
   * - a P1 page, a new incident with its background work (with the tests' herald.yaml, whose
   *   channels the fake Slack knows).
   * Taken in turn, each in a fresh workerd and database.
   */
  const COLD = {
    "GET /healthz, herald.yaml built in": { builtIn: true, page: false },
    "GET /healthz, HERALD_CONFIG_YAML": { builtIn: false, page: false },
    "a P1 page": { builtIn: false, page: true },
  } as const;
  const coldStart = async ({ builtIn, page }: (typeof COLD)[keyof typeof COLD], profile?: string) => {
    const { HERALD_CONFIG_YAML: _yaml, ...withoutYaml } = env as Record<string, string>;
    const { workerd, startProfiler } = await freshWorkerd(builtIn ? withoutYaml : env, Boolean(profile));
    try {
      const profiler = profile ? await startProfiler() : null;
      const { body, headers } = event(0);
      const first = page
        ? await measure(workerd.pid!, "cold", "/webhooks/pagerduty", { method: "POST", body, headers })
        : await measure(workerd.pid!, "cold", "/healthz", { method: "GET" });
      if (profiler) writeFileSync(profile!, JSON.stringify(await profiler.stop()));
      if (first.status !== (page ? 202 : 200)) throw new Error(`a fresh isolate's first request answered ${first.status}`);
      return first.threadMs;
    } finally {
      workerd.kill("SIGKILL");
    }
  };
  if (PROFILE_COLD) await coldStart(COLD["a P1 page"], PROFILE_COLD);
  const cold = new Map<string, number[]>(Object.keys(COLD).map((name) => [name, []]));
  for (let n = 0; n < COLD_STARTS; n++) {
    for (const [name, how] of Object.entries(COLD)) cold.get(name)!.push(await coldStart(how));
  }

  const passes: Awaited<ReturnType<typeof pass>>[] = [];
  for (let n = 0; n < PASSES; n++) passes.push(await pass(Boolean(PROFILE) && n === 0));
  // The same JavaScript in this Node, as many times.
  const body = event(0).body;
  const nodeSpin: number[] = [];
  for (let n = 0; n < PROBES * PASSES; n++) {
    const before = process.cpuUsage();
    spin(body);
    const { user, system } = process.cpuUsage(before);
    nodeSpin.push((user + system) / 1000);
  }
  vendorServer.close();
  backend.close();
  rmSync(bundle, { recursive: true, force: true });

  const rows = passes[0]!.rows;
  const least = leastOver(passes.map((p) => p.rows), ["threadMs", "processMs"]);
  const probe = (kind: string) => percentile(passes.flatMap((p) => p.probes.filter((r) => r.kind === kind).map((r) => r.threadMs)), 50);
  const floor = probe("floor");
  const failed = passes.flatMap((p) => p.rows).filter((r) => r.status !== 202);

  const columns: EventColumn<Measured>[] = [
    { header: "workerd's busiest thread, CPU ms", of: (r) => r.threadMs, digits: 2 },
    { header: "all its threads, CPU ms", of: (r) => r.processMs, digits: 2 },
    { header: "vendor calls", of: (r) => r.calls, digits: 0 },
    { header: "D1 round trips", of: (r) => r.roundTrips, digits: 0 },
  ];
  const table = (title: string, of: Measured[]) => eventTable(title, of, columns, "the first (the isolate's first request)", (r) => r.threadMs);
  const version = JSON.parse(readFileSync(join(dirname(WORKERD), "..", "package.json"), "utf8")).version;
  console.log(`workerd ${version} on its own (the deploy bundle; D1 and the fake vendors outside its process, over loopback): ${EVENTS} PagerDuty events one at a time, each with its background work`);
  const once = table("One pass:", rows);
  const own = table(`Each event's least over ${PASSES} passes (each figure on its own):`, least);
  const verdict = (p99: number) => `${p99 < 2 ? "met" : "not met"} (${p99.toFixed(2)} ms)`;
  console.log(
    `\nIn the same workerd, its busiest thread at the median of ${PROBES * PASSES} requests each:` +
      `\n- a request that only calls back (the floor): ${floor.toFixed(2)} ms;` +
      `\n- one D1 round trip (SELECT 1, ten a request): ${((probe("d1") - floor) / 10).toFixed(3)} ms; one fetch of a tiny answer (ten a request): ${((probe("fetch") - floor) / 10).toFixed(3)} ms;` +
      `\n- the same JavaScript (JSON and a sort): ${(probe("spin") - floor).toFixed(2)} ms in workerd, ${percentile(nodeSpin, 50).toFixed(2)} ms in Node ${process.versions.node}.` +
      `\nA fresh isolate's first request (after one to the entry alone), workerd's busiest thread over ${COLD_STARTS} fresh workerds each: ` +
      [...cold].map(([name, ms]) => `${name}: ${coldFigure(ms)}`).join("; ") +
      "." +
      `\nTarget: the Worker's CPU p99 under 2 ms per event, here by workerd's busiest thread (the isolate's, with the runtime's loopback HTTP): ${verdict(once)} in one pass; ${verdict(own)} by each event's least.` +
      `\n${failed.length} requests refused.`,
  );
  if (failed.length > 0) process.exitCode = 1;
}

/** A cold-start figure: its median and its least (ms). */
function coldFigure(ms: number[]): string {
  return `p50 ${percentile(ms, 50).toFixed(2)} ms, least ${Math.min(...ms).toFixed(2)} ms`;
}

/** V8's sampling profiler in workerd's isolate, through its inspector (the Chrome DevTools protocol). */
async function startProfiler(port: number) {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  // Node 20 has no WebSocket of its own unless asked (--experimental-websocket); ws (Miniflare's) has the same API.
  const Socket = globalThis.WebSocket ?? ((await import("ws" as string)).default as typeof WebSocket);
  const socket = new Socket(target!.webSocketDebuggerUrl.replace("localhost", "127.0.0.1"));
  await new Promise((done) => socket.addEventListener("open", done, { once: true }));
  let last = 0;
  const answers = new Map<number, (result: Record<string, unknown>) => void>();
  socket.addEventListener("message", (event: MessageEvent) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id) answers.get(message.id)?.(message.result ?? {});
  });
  const post = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((done) => {
      const id = ++last;
      answers.set(id, done);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
  return {
    async stop() {
      const { profile } = await post("Profiler.stop");
      socket.close();
      return profile;
    },
  };
}

await main();
process.exit(process.exitCode ?? 0);
