import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { signedDelivery } from "../support/signed.js";
import { createInProcessBackground } from "../../src/node/in-process-background.js";
import { isLoopbackRequest } from "../../src/node/loopback.js";
import { nodeHerald } from "./node-herald.js";
import { slashCommand } from "../support/slack-requests.js";
import { SLACK_SIGNING_SECRET } from "../support/test-config.js";
import type { Store } from "../../src/ports/store.js";
import { createSqliteStore } from "../../src/store/sqlite-store.js";

function appWith(env: Record<string, string>, store?: Store) {
  return nodeHerald({ env, store, isLoopback: isLoopbackRequest }).herald.app({ schedule: () => {} });
}

/** What @hono/node-server hands the app: the incoming request, whose socket has the peer address. */
const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress, remotePort: 50000, remoteFamily: "IPv4" } } });

describe("the API on Node without HERALD_API_TOKEN", () => {
  it("answers loopback clients and refuses others with 403", async () => {
    const app = appWith({});
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
      expect((await app.request("/api/incidents", {}, from(address))).status, address).toBe(200);
    }
    const refused = await app.request("/api/incidents", {}, from("192.0.2.10"));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: { code: "forbidden", message: "without HERALD_API_TOKEN the API answers loopback clients only" },
    });
  });

  it("with a token, wants the token even from loopback", async () => {
    const app = appWith({ HERALD_API_TOKEN: "s3cret" });
    expect((await app.request("/api/incidents", {}, from("127.0.0.1"))).status).toBe(401);
    const ok = await app.request("/api/incidents", { headers: { authorization: "Bearer s3cret" } }, from("192.0.2.10"));
    expect(ok.status).toBe(200);
  });
});

describe("/healthz", () => {
  it("answers 503 when storage cannot be read", async () => {
    const store = createSqliteStore(":memory:", "migrations");
    const app = appWith({}, store);
    store.close();
    const response = await app.request("/healthz");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", storage: "failing" });
  });
});

describe("unknown routes", () => {
  it("answer 404 in JSON", async () => {
    const response = await appWith({}).request("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "no route for GET /nope" } });
  });
});

describe("the in-process background runner", () => {
  it("folds asks that arrive during a run into one more run", async () => {
    let runs = 0;
    let release: () => void = () => {};
    const background = createInProcessBackground(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
    }, () => {});
    background.schedule("a");
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 10; i++) background.schedule("burst");
    release();
    await background.idle();
    expect(runs).toBe(2);
  });

  it("cuts short the pause between slices for a new P1/P2", async () => {
    const started: number[] = [];
    const background = createInProcessBackground(
      async () => {
        started.push(Date.now());
        // Requests keep arriving while this slice runs, and work is left: a pause follows.
        if (started.length === 1) for (let i = 0; i < 5; i++) background.schedule("delivery");
        return { ran: true, deliveries: 1, effects: 0, more: started.length === 1 };
      },
      () => {},
      { sliceMs: 10, yieldMs: 60_000 },
    );
    background.schedule("delivery");
    await expect.poll(() => started.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toHaveLength(1);
    background.schedule("delivery", { urgent: true });
    await background.idle();
    expect(started).toHaveLength(2);
    expect(started[1]! - started[0]!).toBeLessThan(30_000);
  });

  it("asks a long run past its slice to give the thread back once requests arrive", async () => {
    const answers: boolean[][] = [];
    let arrive = () => {};
    const background = createInProcessBackground(
      async ({ yieldNow }) => {
        const seen = [yieldNow()];
        await new Promise((r) => setTimeout(r, 30));
        // Quiet past the slice: go on.
        seen.push(yieldNow());
        arrive();
        seen.push(yieldNow());
        answers.push(seen);
        return { ran: true, deliveries: 1, effects: 0, more: false };
      },
      () => {},
      { sliceMs: 20, yieldMs: 390, idleMs: 60_000 },
    );
    // Two requests come during the run, once it has gone past its slice.
    arrive = () => {
      arrive = () => {};
      background.schedule("delivery");
      background.schedule("delivery");
    };
    background.schedule("start");
    await background.idle();
    expect(answers[0]).toEqual([false, false, true]);
  });

  it("logs a failed run and keeps going", async () => {
    const lines: string[] = [];
    let runs = 0;
    const background = createInProcessBackground(async () => {
      if (++runs === 1) throw new Error("database is locked");
    }, (line) => lines.push(line));
    background.schedule("a");
    await background.idle();
    background.schedule("b");
    await background.idle();
    expect(runs).toBe(2);
    expect(lines).toEqual(["background run failed (will be retried by the next sweep): database is locked"]);
  });
});

describe("request bodies on a real Node server", () => {
  it("are read straight from the connection: a signed delivery is accepted, an oversized chunked one refused", async () => {
    const app = appWith({ PAGERDUTY_WEBHOOK_SECRETS: "s3cret" });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/pagerduty`;
    try {
      const body = deliveries["zulip_triggered_v3.json"]!;
      const ok = await fetch(url, { ...(await signedDelivery(body, { secret: "s3cret" })) });
      expect(ok.status).toBe(202);
      // No Content-Length: the size is only known while reading.
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 300; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
          controller.close();
        },
      });
      const big = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-pagerduty-signature": "v1=00" },
        body: chunks,
        duplex: "half",
      } as RequestInit);
      expect(big.status).toBe(413);
      expect(await big.json()).toEqual({ error: { code: "payload_too_large", message: "body is larger than 262144 bytes" } });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("Slack answers on a real Node server", () => {
  it("answers help the same every time (its reply is made once and reused)", async () => {
    const app = appWith({ SLACK_SIGNING_SECRET: SLACK_SIGNING_SECRET });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/commands`;
    try {
      for (const text of ["help", "help", "triage", "triage", "help"]) {
        const response = await fetch(url, await slashCommand(text));
        expect(response.status, text).toBe(200);
        expect(response.headers.get("content-type")).toBe("application/json");
        expect(((await response.json()) as { text: string }).text).toMatch(text === "help" ? /^\*Herald's commands\*/ : /^\*Is this an incident\?\*/);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
