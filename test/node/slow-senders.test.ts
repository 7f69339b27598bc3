import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { keepAtMost, SERVER_OPTIONS, startNodeServer, type NodeServer } from "../../src/node/start-server.js";
import { testEnv } from "../support/test-config.js";
import { watchedLog } from "../support/log-watch.js";
import { until } from "../support/until.js";

// Herald as `npm start` runs it, on a real socket: what a sender that never stops can do to it.
let server: NodeServer;
let dir: string;

/** Herald started as `npm start` starts it, with its database and configuration in `dir`. */
function startIn(dir: string, log: (line: string) => void, options?: Parameters<typeof startNodeServer>[3]): Promise<NodeServer> {
  const config = join(dir, "herald.yaml");
  const env = testEnv(readFileSync("herald.yaml", "utf8"), "http://127.0.0.1:9");
  writeFileSync(config, env.HERALD_CONFIG_YAML!);
  return startNodeServer({ ...env, PORT: "0", HERALD_DB: join(dir, "herald.db"), HERALD_CONFIG: config }, log, log, options);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-senders-"));
  server = await startIn(dir, watchedLog);
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens a raw connection and sends a chunked POST that never ends; resolves with what Herald answered and how much it took in. */
function endlessBody(path: string, contentType: string): Promise<{ answer: string; sent: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(server.port, "127.0.0.1");
    let answer = "";
    let sent = 0;
    let timer: ReturnType<typeof setInterval>;
    const chunk = `${(64 * 1024).toString(16)}\r\n${"x".repeat(64 * 1024)}\r\n`;
    const finish = (closed: boolean) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ answer, sent, closed });
    };
    socket.on("connect", () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      timer = setInterval(() => {
        if (socket.writable) sent += chunk.length, socket.write(chunk);
      }, 5);
    });
    socket.on("data", (data) => (answer += data.toString()));
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    // Herald should have cut it off long before this.
    setTimeout(() => finish(false), 8_000);
  });
}

describe("a sender whose body never ends", () => {
  for (const [route, type] of [
    ["/webhooks/pagerduty", "application/json"],
    ["/slack/commands", "application/x-www-form-urlencoded"],
    ["/teams/messages", "application/json"],
    ["/console/declare", "application/x-www-form-urlencoded"],
  ] as const) {
    it(`is answered 413 and cut off at the limit on ${route}`, async () => {
      const { answer, sent, closed } = await endlessBody(route, type);
      expect(answer).toMatch(/^HTTP\/1\.1 413/);
      expect(closed).toBe(true);
      // Not read on after the answer: a few chunks past the limit in flight, no more.
      expect(sent).toBeLessThan(4 * 1024 * 1024);
    });
  }
});

/** Plays `script` on a raw connection to Herald, in turn: a string is sent, a number is waited (ms). Then hangs up. */
function converse(script: (string | number)[]): Promise<{ answers: { at: number; text: string }[]; closedAt: number | null }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(server.port, "127.0.0.1");
    const started = Date.now();
    const answers: { at: number; text: string }[] = [];
    let closedAt: number | null = null;
    socket.on("data", (data) => answers.push({ at: Date.now() - started, text: data.toString() }));
    socket.on("error", () => {});
    socket.on("close", () => (closedAt = Date.now() - started));
    socket.on("connect", async () => {
      for (const step of script) {
        if (typeof step === "number") await new Promise((r) => setTimeout(r, step));
        else if (!socket.destroyed) socket.write(step);
      }
      socket.destroy();
      resolve({ answers, closedAt });
    });
  });
}

describe("a kept-alive connection", () => {
  const healthz = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

  it("stays open past Node's 5 s (Herald keeps it 65 s), while the next request's headers still get 10 s", async () => {
    const [idle, slow] = await Promise.all([
      // A proxy's idle connection: the second request, 6 s on, is answered on the same connection.
      converse([healthz, 6_000, healthz, 500]),
      // The next request's headers begin and never end: cut off with a 408 after 10 s, not 65.
      converse([healthz, 1_000, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n", 13_000]),
    ]);
    expect(idle.answers.map((a) => a.text.slice(0, 15))).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]);
    expect(idle.answers[0]!.text).toContain("Keep-Alive: timeout=65");
    expect(idle.closedAt).toBeNull();

    const timedOut = slow.answers.find((a) => a.text.startsWith("HTTP/1.1 408"));
    expect(timedOut).toBeDefined();
    expect(timedOut!.at).toBeGreaterThan(10_000);
    expect(slow.closedAt).not.toBeNull();
  }, 30_000);

  it("is let go once its answer is sent when Herald stops, so stopping does not wait out its 65 s", async () => {
    const stopping = mkdtempSync(join(tmpdir(), "herald-stopping-"));
    const lines: string[] = [];
    const other = await startIn(stopping, (line) => (watchedLog(line), lines.push(line)));
    try {
      const socket: Socket = connect(other.port, "127.0.0.1");
      const started = Date.now();
      let answer = "";
      const closedAt = new Promise<number>((done) => socket.on("close", () => done(Date.now() - started)));
      socket.on("data", (data) => (answer += data.toString()));
      socket.on("error", () => {});
      await new Promise((done) => socket.on("connect", done));
      // A request whose body is still arriving when Herald is told to stop.
      const body = JSON.stringify({ event: { id: "01STOPPING" } });
      socket.write(`POST /webhooks/pagerduty HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
      await new Promise((r) => setTimeout(r, 200));
      const stopped = other.close().then(() => Date.now() - started);
      await new Promise((r) => setTimeout(r, 200));
      socket.write(body.slice(5));
      const [closed, stoppedAt] = await Promise.all([closedAt, stopped]);
      // Answered (unsigned: 401), then closed, and Herald stopped before its 8 s for calls in flight
      // ran out (without the closing, the connection held it until then, and it said so).
      expect(answer).toMatch(/^HTTP\/1\.1 401/);
      expect(lines.join("\n")).not.toContain("stopping with work in flight");
      expect(closed).toBeLessThan(8_000);
      expect(stoppedAt).toBeLessThan(8_000);
    } finally {
      rmSync(stopping, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("kept-alive connections past the most Herald keeps", () => {
  /** A connection to `port` that sends one request and then sits idle, as a proxy's pooled one does. */
  const oneRequestTo = (port: number) =>
    new Promise<{ answer: string; closed: () => boolean; socket: Socket }>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let closed = false;
      socket.on("close", () => (closed = true));
      socket.on("error", () => {});
      socket.on("connect", () => socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      socket.once("data", (data) => resolve({ answer: data.toString(), closed: () => closed, socket }));
    });

  it("are answered with Connection: close and closed, until fewer are open again", async () => {
    // Herald's own server keeps 1,000 (below, its wiring with 2); the same mechanism on a small server keeps 3.
    const app = new Hono().get("/healthz", (c) => c.json({ status: "ok" }));
    const { server: small, port } = await new Promise<{ server: ServerType; port: number }>((ready) => {
      const started = serve({ fetch: app.fetch, port: 0, serverOptions: SERVER_OPTIONS }, (info) => ready({ server: started, port: info.port }));
    });
    keepAtMost(small, 3);
    const oneRequest = () => oneRequestTo(port);
    try {
      const kept = [];
      for (let i = 0; i < 3; i++) kept.push(await oneRequest());
      const past = await oneRequest();
      await until("the fourth connection closed", () => past.closed(), 5);
      for (const connection of kept) {
        expect(connection.answer).toMatch(/^Connection: keep-alive\r$/im);
        expect(connection.closed()).toBe(false);
      }
      expect(past.answer).toMatch(/^HTTP\/1\.1 200/);
      expect(past.answer).toMatch(/^Connection: close\r$/im);
      // One of the kept ones hangs up: once the server has seen it go, the next connection is kept again.
      kept.pop()!.socket.destroy();
      await until("two connections open", () => new Promise<boolean>((done) => small.getConnections((_, count) => done(count === 2))), 5);
      const again = await oneRequest();
      expect(again.answer).toMatch(/^Connection: keep-alive\r$/im);
      for (const connection of [...kept, again]) connection.socket.destroy();
    } finally {
      await new Promise((done) => small.close(done));
    }
  });

  it("are limited on Herald's own server as `npm start` starts it", async () => {
    const own = mkdtempSync(join(tmpdir(), "herald-kept-"));
    const herald = await startIn(own, watchedLog, { mostKeptConnections: 2 });
    const open: Socket[] = [];
    try {
      const kept = [await oneRequestTo(herald.port), await oneRequestTo(herald.port)];
      open.push(...kept.map((c) => c.socket));
      const past = await oneRequestTo(herald.port);
      open.push(past.socket);
      for (const connection of kept) expect(connection.answer).toMatch(/^Connection: keep-alive\r$/im);
      expect(past.answer).toMatch(/^HTTP\/1\.1 200/);
      expect(past.answer).toMatch(/^Connection: close\r$/im);
      await until("the third connection closed", () => past.closed(), 5);
      expect(kept.some((c) => c.closed())).toBe(false);
    } finally {
      for (const socket of open) socket.destroy();
      await herald.close();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
