// The Worker in workerd on its own (`workerd serve`), the runtime Cloudflare runs, with nothing else
// in its process: the deploy bundle behind an entry of the caller's, D1 answered over HTTP by this
// process (SQLite in memory, so it outlives workerd, as D1 outlives an isolate), and the network
// outside. Used by `bench:workerd-cpu` and the workerd crash soak; the deploy bundle and the
// migrations by every Worker benchmark.
import Database from "better-sqlite3";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

// The workerd that Miniflare and wrangler run (a dependency of theirs).
export const WORKERD = join(dirname(createRequire(import.meta.url).resolve("workerd/package.json")), "bin", "workerd");

/**
 * The Worker as `wrangler deploy` would upload it, in a fresh temporary folder (its `index.js`).
 * BENCH_BUNDLE=file: that bundle instead, one built earlier (`wrangler deploy --dry-run --outdir`),
 * to measure two versions of Herald in turn in the same hour.
 */
export function deployBundle(): string {
  const bundle = mkdtempSync(join(tmpdir(), "herald-worker-bundle-"));
  if (process.env.BENCH_BUNDLE) {
    copyFileSync(process.env.BENCH_BUNDLE, join(bundle, "index.js"));
    return bundle;
  }
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", bundle], { stdio: "ignore" });
  return bundle;
}

/** Every migration's statements, in order, as `wrangler d1 migrations apply` runs them. */
export function migrationStatements(): string[] {
  return readdirSync("migrations")
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .flatMap((file) =>
      readFileSync(join("migrations", file), "utf8")
        .split("\n")
        .filter((line) => !line.trim().startsWith("--"))
        .join("\n")
        .split(";")
        .map((statement) => statement.trim())
        .filter(Boolean),
    );
}

type D1Value = string | number | null | number[];
interface D1Query {
  sql: string;
  params?: D1Value[] | null;
}

/**
 * D1's side of workerd's D1 binding, on SQLite in memory: `POST /query` and `POST /execute` with one
 * statement or a list of them (run as one transaction), each answered `{success, results, meta}` as
 * Cloudflare's and Miniflare's D1 answer (results as objects, or `{columns, rows}` when
 * `resultsFormat=ROWS_AND_COLUMNS`). A byte array travels as a list of numbers, both ways.
 */
export function d1Backend() {
  let db = new Database(":memory:");
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (!found) prepared.set(sql, (found = db.prepare(sql)));
    return found;
  };
  const cell = (value: unknown) => (Buffer.isBuffer(value) ? Array.from(value) : value);
  const run = (format: string, query: D1Query) => {
    const params = (query.params ?? []).map((p) => (Array.isArray(p) ? Buffer.from(p) : p));
    const s = statement(query.sql);
    let results: unknown = [];
    let changes = 0;
    let lastRowId = 0;
    if (s.reader) {
      const rows = (s.raw(true).all(...params) as unknown[][]).map((row) => row.map(cell));
      const columns = s.columns().map((c) => c.name);
      results = format === "ROWS_AND_COLUMNS" ? { columns, rows } : rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i]])));
    } else {
      const outcome = s.run(...params);
      changes = outcome.changes;
      lastRowId = Number(outcome.lastInsertRowid);
    }
    return { success: true, results, meta: { served_by: "bench", duration: 0, changes, last_row_id: lastRowId, changed_db: changes > 0, size_after: 0, rows_read: 0, rows_written: changes } };
  };
  return {
    roundTrips: 0,
    /** The database itself, to look at what the Worker wrote. */
    get db() {
      return db;
    },
    /** A fresh, migrated database. */
    reset() {
      db.close();
      db = new Database(":memory:");
      prepared.clear();
      for (const sql of migrationStatements()) db.exec(sql);
    },
    answer(url: URL, body: string): { status: number; body: string } {
      this.roundTrips++;
      const sent = JSON.parse(body) as D1Query | D1Query[];
      const queries = Array.isArray(sent) ? sent : [sent];
      const format = url.searchParams.get("resultsFormat") ?? "ARRAY_OF_OBJECTS";
      try {
        return { status: 200, body: JSON.stringify(db.transaction(() => queries.map((q) => run(format, q)))()) };
      } catch (error) {
        return { status: 500, body: JSON.stringify({ success: false, error: (error as Error).message }) };
      }
    },
  };
}

export type D1Backend = ReturnType<typeof d1Backend>;

/**
 * An HTTP server on loopback that answers D1's round trips, and any other path with `other` (a
 * benchmark's call-backs). Resolves with its address (`127.0.0.1:port`) and a way to close it.
 */
export async function serveD1(
  d1: D1Backend,
  other: (url: URL, response: ServerResponse) => boolean = () => false,
): Promise<{ address: string; close: () => void }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    // A workerd killed while it sends (the crash soak): nothing to answer.
    request.on("error", () => response.destroy());
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://backend");
      if (other(url, response)) return;
      const { status, body } = d1.answer(url, Buffer.concat(chunks).toString("utf8"));
      response.writeHead(status, { "content-type": "application/json" }).end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/**
 * workerd's configuration: the bundle behind `entry` (a module in the bundle's folder that imports
 * `./index.js`), its bindings from the environment, D1 at `backend` and the network outside.
 */
export function workerdConfig(entry: string, names: string[], backend: string, port: number): string {
  const compatibilityDate = readFileSync("wrangler.toml", "utf8").match(/compatibility_date = "([\d-]+)"/)![1];
  const bindings = names.map((name) => `(name = "${name}", fromEnvironment = "${name}")`);
  bindings.push(`(name = "DB", wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [(name = "fetcher", service = "d1")]))`);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "herald", worker = .herald),
    (name = "d1", external = (address = "${backend}", http = ())),
    (name = "internet", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "herald")],
);
const herald :Workerd.Worker = (
  modules = [
    (name = "${entry}", esModule = embed "${entry}"),
    (name = "index.js", esModule = embed "index.js"),
  ],
  compatibilityDate = "${compatibilityDate}",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [${bindings.join(", ")}],
);
`;
}

/** Writes the configuration into the bundle's folder and starts workerd on it; resolves once it answers. */
export async function startWorkerd(options: {
  bundle: string;
  entry: string;
  env: Record<string, string>;
  backend: string;
  port: number;
  extraArgs?: string[];
  /** The path asked until workerd answers (default /healthz). */
  readyPath?: string;
  /** Each line workerd writes (the Worker's console among them). */
  onLine?: (line: string) => void;
}): Promise<ChildProcess> {
  const { bundle, entry, env, backend, port } = options;
  writeFileSync(join(bundle, "workerd.capnp"), workerdConfig(entry, Object.keys(env), backend, port));
  const workerd = spawn(WORKERD, ["serve", ...(options.extraArgs ?? []), join(bundle, "workerd.capnp")], {
    env: { ...process.env, ...env },
    stdio: ["ignore", options.onLine ? "pipe" : "ignore", "pipe"],
  });
  let stderr = "";
  workerd.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  for (const stream of options.onLine ? [workerd.stdout!, workerd.stderr!] : []) {
    stream.setEncoding("utf8").on("data", (text: string) => text.split("\n").forEach(options.onLine!));
  }
  await ready(`http://127.0.0.1:${port}${options.readyPath ?? "/healthz"}`, workerd, () => stderr);
  return workerd;
}

/** Until workerd answers on its socket (it refuses connections while it starts). */
async function ready(url: string, workerd: ChildProcess, stderr: () => string) {
  for (let tries = 0; tries < 200; tries++) {
    if (workerd.exitCode !== null) throw new Error(`workerd exited: ${stderr()}`);
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 50));
    }
  }
  throw new Error(`workerd did not start: ${stderr()}`);
}

/** A port free on loopback now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}
