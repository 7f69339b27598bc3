import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type NodeServer } from "../../src/node/start-server.js";
import { testEnv } from "../support/test-config.js";
import { watchedLog } from "../support/log-watch.js";

// Herald as `npm start` runs it, on a real socket: what a sender that never stops can do to it.
let server: NodeServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-senders-"));
  const config = join(dir, "herald.yaml");
  const env = testEnv(readFileSync("herald.yaml", "utf8"), "http://127.0.0.1:9");
  writeFileSync(config, env.HERALD_CONFIG_YAML!);
  server = await startNodeServer({ ...env, PORT: "0", HERALD_DB: join(dir, "herald.db"), HERALD_CONFIG: config }, watchedLog, watchedLog);
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
