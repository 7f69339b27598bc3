// Shared by the benchmarks: each server under test runs in its own process (bench/server.ts), so
// process.cpuUsage there is its own; autocannon drives it on loopback from this process.
import autocannon from "autocannon";
import { fork, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { buildForNode } from "../scripts/build-node.mjs";

export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

/** The p-th percentile (nearest rank below) of the values. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** p50 / p99 / max of the values, to `digits` places. */
export function spread(values: number[], digits: number): string {
  return [50, 99].map((p) => percentile(values, p).toFixed(digits)).concat(Math.max(...values).toFixed(digits)).join(" / ");
}

export interface Row {
  name: string;
  rps: number;
  p99: number;
  cpuUsPerRequest: number;
  /** The serving thread's share of the above (Linux only), where a server's rate is bound. */
  threadCpuUsPerRequest: number | null;
  non2xx: number;
  extra?: string;
}

/** A server's answer to {cmd: "cpu"}: the process's CPU time, and its serving thread's (µs; null off Linux). */
type ServerCpu = NodeJS.CpuUsage & { serverThread: number | null };

/** One request shape, built fresh for every request (new ids, new signature). */
export type NextRequest = () => { path: string; body: string; headers: Record<string, string> };

export function ask<T>(child: ChildProcess, cmd: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: Record<string, unknown>) => {
      if (key in message) {
        child.off("message", listener);
        resolve(message[key] as T);
      }
    };
    child.on("message", listener);
    child.send({ cmd });
  });
}

// The server runs built as `npm start` builds Herald (scripts/build-node.mjs), once per benchmark.
let built: Promise<void> | null = null;
const SERVER = "dist/bench/server.mjs";

export async function startServer(mode: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  await (built ??= buildForNode("bench/server.ts", SERVER));
  return forkReady(SERVER, [mode], env);
}

// Each helper is built once per benchmark, however many times it is started.
const helpers = new Map<string, Promise<string>>();

/** Builds a helper process's entry point (a path from the repository's root) and starts it; resolves with the port it says it listens on. */
export async function startHelper(entry: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  let outfile = helpers.get(entry);
  if (!outfile) {
    const file = `dist/bench/${entry.replace(/^.*\//, "").replace(/\.ts$/, ".mjs")}`;
    outfile = buildForNode(entry, file, { startsHerald: false }).then(() => file);
    helpers.set(entry, outfile);
  }
  return forkReady(await outfile, [], env);
}

async function forkReady(file: string, args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(file, args, {
    execArgv: ["--expose-gc", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve) => child.on("message", (m: { ready?: number }) => m.ready && resolve(m.ready)));
  return { child, port };
}

function load(port: number, seconds: number, next: NextRequest, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const { path, body, headers } = next();
          return { ...request, path, body, headers };
        },
      },
    ],
  });
}

/**
 * Warms a server up for 2 s, then measures it for DURATION with `connections` at once (CONNECTIONS
 * unless told); `drain` reports on its backlog after.
 */
export async function measure(
  name: string,
  mode: string,
  env: Record<string, string>,
  next: NextRequest,
  describeDrain?: (drain: Record<string, number>) => string,
  connections = CONNECTIONS,
): Promise<Row> {
  const { child, port } = await startServer(mode, env);
  await load(port, 2, next, connections);
  const before = await ask<ServerCpu>(child, "cpu", "cpu");
  const result = await load(port, DURATION, next, connections);
  const after = await ask<ServerCpu>(child, "cpu", "cpu");
  const extra = describeDrain ? describeDrain(await ask<Record<string, number>>(child, "drain", "drain")) : undefined;
  child.kill();
  const cpuUs = after.user - before.user + (after.system - before.system);
  return {
    name,
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuUsPerRequest: cpuUs / Math.max(result.requests.total, 1),
    threadCpuUsPerRequest:
      after.serverThread === null || before.serverThread === null
        ? null
        : (after.serverThread - before.serverThread) / Math.max(result.requests.total, 1),
    non2xx: result.non2xx + result.errors,
    extra,
  };
}

/** Prints the rows as a table, with each one's rate against `baseline`. */
export function printTable(rows: Row[], baseline: Row, ratioLabel: string): void {
  console.log(`| server | requests/s | p99 ms | server CPU µs/request | serving thread µs/request | non-2xx | ${ratioLabel} |`);
  console.log("|---|---|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${row.rps.toFixed(0)} | ${row.p99} | ${row.cpuUsPerRequest.toFixed(0)} | ${row.threadCpuUsPerRequest?.toFixed(0) ?? "—"} | ${row.non2xx} | ${(row.rps / baseline.rps).toFixed(2)} |`,
    );
  }
  for (const row of rows) if (row.extra) console.log(`\n${row.name}: ${row.extra}`);
}

export interface OpenLoopResult {
  total: number;
  /** Refused connections and answers of 400 or more (the console's 303 is success). */
  errors: number;
  /** What the errors were: a status code and path, or the connection's error code, with counts. */
  errorKinds: Map<string, number>;
  /** Each request's latency in ms, from the moment it was due to be sent to its answer's end. */
  latencies: number[];
  /** The same, split: requests that went out on a connection opened for them (none was free), and the rest. */
  onNewConnection: number[];
  onOpenConnection: number[];
  /**
   * This process's own event-loop delay meanwhile, in ms: an answer read late here counts against
   * the server, so a busy load generator (on cores it shares with the server) shows up as latency.
   */
  generatorLoop: { p99: number; max: number };
}

/**
 * Sends `rate` requests a second, evenly spaced, for `seconds`, over at most `connections` kept-alive
 * connections, whatever the answers take (an open loop). A request's latency counts from when it was
 * due, so waiting for a free connection or a late start counts against the server, not for it.
 */
export async function openLoop(port: number, options: { rate: number; seconds: number; connections: number; next: NextRequest }): Promise<OpenLoopResult> {
  // With a timeout, Node's agent also heeds the server's `Keep-Alive: timeout=…` hint (65 s for
  // Herald and the baselines, 5 s for Node's default) and lets an idle connection go a second before
  // the server would close it, or at this 60 s if that comes first. Without one it keeps idle connections
  // for ever, and now and then sends on one the server is closing just then: ECONNRESET (6 of 20,000
  // requests in one run on 2026-12-04, the client's fault, as a client that heeds the hint never meets it).
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, timeout: 60_000 });
  const total = Math.round(options.rate * options.seconds);
  const result: OpenLoopResult = { total, errors: 0, errorKinds: new Map(), latencies: [], onNewConnection: [], onOpenConnection: [], generatorLoop: { p99: NaN, max: NaN } };
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const failed = (kind: string) => {
    result.errors++;
    result.errorKinds.set(kind, (result.errorKinds.get(kind) ?? 0) + 1);
  };
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const { path, body, headers } = options.next();
      let opened = false;
      const outgoing = request(
        { host: "127.0.0.1", port, path, method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          response.on("end", () => {
            if ((response.statusCode ?? 500) >= 400) failed(`${response.statusCode} on ${path}`);
            const latency = performance.now() - due;
            result.latencies.push(latency);
            (opened ? result.onNewConnection : result.onOpenConnection).push(latency);
            resolve();
          });
        },
      );
      outgoing.once("socket", (socket) => (opened = socket.connecting));
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        failed(`${error.code ?? error.message} on ${opened ? "a new" : "an open"} connection`);
        resolve();
      });
      outgoing.end(body);
    });
  const answers: Promise<void>[] = [];
  const start = performance.now() + 20;
  const dueAt = (i: number) => start + (i * 1000) / options.rate;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (answers.length < total && dueAt(answers.length) <= now) answers.push(send(dueAt(answers.length)));
      if (answers.length < total) setTimeout(tick, 1);
      else done();
    };
    setTimeout(tick, 20);
  });
  await Promise.all(answers);
  loopDelay.disable();
  result.generatorLoop = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
  agent.destroy();
  return result;
}
