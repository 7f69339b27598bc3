import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Incident } from "../../src/domain/incident.js";
import { createD1Store, d1Database } from "../../src/store/d1-store.js";
import worker from "../../src/worker/index.js";
import { harness } from "./harness.js";
import { deliveries } from "../support/fixtures.js";
import { signedDelivery } from "../support/signed.js";

type WorkerEnv = Parameters<typeof worker.fetch>[1];

async function call(path: string, init: RequestInit, workerEnv: WorkerEnv) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://herald.test${path}`, init) as any, workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response as unknown as Response;
}

async function until(what: string, probe: () => Promise<boolean>, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const baseEnv = env as unknown as WorkerEnv;

/** D1 as the Worker sees it, counting each statement (a batch's each) the way D1's limit does. */
function countingD1() {
  const counter = { queries: 0 };
  const inner = new WeakMap<object, D1PreparedStatement>();
  const counted = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (typeof value !== "function") return value;
        if (name === "bind") return (...params: unknown[]) => counted(value.apply(target, params));
        if (["all", "first", "run", "raw"].includes(String(name))) return (...args: unknown[]) => (counter.queries++, value.apply(target, args));
        return value.bind(target);
      },
    });
    inner.set(proxy, statement);
    return proxy;
  };
  const db = {
    prepare: (sql: string) => counted(env.DB.prepare(sql)),
    batch: (list: D1PreparedStatement[]) => ((counter.queries += list.length), env.DB.batch(list.map((s) => inner.get(s) ?? s))),
  };
  return { db, counter };
}

/** Four signed P1 pages, each a new incident; `tag` keeps their ids apart from other tests'. */
function p1Pages(tag: string): string[] {
  return [1, 2, 3, 4].map((n) => {
    const page = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    page.event.id = `01${tag}${n}`;
    Object.assign(page.event.data, { id: `P${tag}${n}`, number: n, title: `${tag} ${n}`, priority: { id: "PPRIO01", type: "priority_reference", summary: "P1" } });
    return JSON.stringify(page);
  });
}

/** Everything the four pages asked for was done, once: four rooms, four announcements, nothing given up. */
async function expectFourIncidentsDoneOnce(): Promise<void> {
  const store = createD1Store(env.DB);
  expect(await store.openEffects(10)).toEqual([]);
  expect((await store.failedEffects({ limit: 10 })).items).toEqual([]);
  const rooms = ((await (await fetch(`${harness.vendorsUrl}/slack/__rooms`)).json()) as { name: string }[]).filter((r) => r.name.startsWith("inc-"));
  expect(rooms).toHaveLength(4);
  const messagesPosted = (await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; text: string }[];
  const announced = messagesPosted.filter((m) => m.channel === "C0UPDATE01").map((m) => m.text.split("\n")[0]);
  expect(announced).toHaveLength(4);
  expect(new Set(announced).size).toBe(4);
}

describe("the Worker entry", () => {
  it("does not serve /api without HERALD_API_TOKEN", async () => {
    await harness.freshStore();
    const response = await call("/api/incidents", {}, { ...baseEnv, HERALD_API_TOKEN: undefined });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "forbidden", message: "the API is off: set HERALD_API_TOKEN to serve it" } });
  });

  it("hands a stored delivery to the Queue, whose consumer puts it on the record", async () => {
    const store = await harness.freshStore();
    const response = await call("/webhooks/pagerduty", await signedDelivery(deliveries["zulip_acknowledged_v3.json"]!), baseEnv);
    expect(response.status).toBe(202);
    // Nobody calls the pipeline here: Miniflare delivers the queue message to the Worker's queue().
    await until("the queue consumer", async () => (await store.pendingDeliveries(1)).length === 0);
    expect((await store.getIncident("PQ1K5C8"))?.status).toBe("acknowledged");
  });

  it("without a Queue binding, runs the pipeline after the response (ctx.waitUntil)", async () => {
    const store = await harness.freshStore();
    const { PIPELINE_QUEUE: _queue, ...withoutQueue } = baseEnv;
    const response = await call("/webhooks/pagerduty", await signedDelivery(deliveries["zulip_acknowledged_v3.json"]!), withoutQueue as WorkerEnv);
    expect(response.status).toBe(202);
    expect(await store.pendingDeliveries(1)).toEqual([]);
    expect((await store.getIncident("PQ1K5C8"))?.status).toBe("acknowledged");
  });

  it("gives each request's background run to that request's own invocation, with requests at once", async () => {
    // The test before left a message to Miniflare's own Queue consumer: wait for its run, then start
    // from an empty store and fakes.
    await harness.start();
    const store = createD1Store(env.DB);
    const { PIPELINE_QUEUE: _queue, ...withoutQueue } = baseEnv;
    const workerEnv = withoutQueue as WorkerEnv;
    const pages = p1Pages("ALS");
    // Each request's own ExecutionContext, watched: what its invocation was asked to wait for.
    const invocations = await Promise.all(
      [...pages, null].map(async (page) => {
        const real = createExecutionContext();
        const waitedFor: Promise<unknown>[] = [];
        const ctx = { ...real, props: {}, passThroughOnException: () => real.passThroughOnException(), waitUntil: (work: Promise<unknown>) => (waitedFor.push(work), real.waitUntil(work)) };
        // The last is a request that stores nothing: it asks for no background run.
        const request = page ? new Request("http://herald.test/webhooks/pagerduty", await signedDelivery(page)) : new Request("http://herald.test/api/incidents");
        const response = (await worker.fetch(request as any, workerEnv, ctx as any)) as unknown as Response;
        await waitOnExecutionContext(real);
        return { status: response.status, waitedFor: waitedFor.length };
      }),
    );
    expect(invocations).toEqual([...pages.map(() => ({ status: 202, waitedFor: 1 })), { status: 401, waitedFor: 0 }]);
    // Runs that found another holding the lease left their work to it; what the holder's D1 budget
    // left over goes on in the cron's sweeps here.
    for (let sweep = 0; sweep < 10 && ((await store.pendingDeliveries(1)).length > 0 || (await store.openEffects(1)).length > 0); sweep++) {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: "* * * * *" }) as any, workerEnv, ctx);
      await waitOnExecutionContext(ctx);
    }
    await expectFourIncidentsDoneOnce();
  });

  it("the Queue consumer acks a batch it has worked off, and asks for a retry while another runner holds the lease", async () => {
    const store = await harness.freshStore();
    const recorded = { id: "pagerduty:queued", source: "pagerduty", webhookId: null, receivedAt: new Date().toISOString(), body: deliveries["zulip_acknowledged_v3.json"]! };
    await createD1Store(env.DB).recordDelivery(recorded);
    const message = (id: string) => ({ id, timestamp: new Date(), attempts: 1, body: { reason: "pagerduty delivery" } });

    // Someone else (another isolate, the cron sweep) is running the pipeline: nothing is lost, the batch comes back in 5 s.
    await store.acquireLease("pipeline", "another-isolate/1", new Date().toISOString(), new Date(Date.now() + 60_000).toISOString());
    const held = createMessageBatch("herald-pipeline", [message("m1")]);
    const heldCtx = createExecutionContext();
    await worker.queue(held as any, baseEnv, heldCtx);
    expect(await getQueueResult(held, heldCtx)).toMatchObject({ ackAll: false, retryBatch: { retry: true } });
    expect(await store.pendingDeliveries(1)).toHaveLength(1);

    await store.releaseLease("pipeline", "another-isolate/1");
    const batch = createMessageBatch("herald-pipeline", [message("m2"), message("m3")]);
    const ctx = createExecutionContext();
    await worker.queue(batch as any, baseEnv, ctx);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ ackAll: true, retryBatch: { retry: false } });
    expect(await store.pendingDeliveries(1)).toEqual([]);
  });

  it("a Queue message that is never worked off loses nothing: the delivery waits in D1 for the cron sweep", async () => {
    // The consumer fails (here: the configuration cannot be read) until Queues gives the message up.
    const store = await harness.freshStore();
    await createD1Store(env.DB).recordDelivery({ id: "pagerduty:dropped", source: "pagerduty", webhookId: null, receivedAt: new Date().toISOString(), body: deliveries["zulip_acknowledged_v3.json"]! });
    const broken = { ...baseEnv, HERALD_CONFIG_YAML: "channels: [" } as WorkerEnv;
    const batch = createMessageBatch("herald-pipeline", [{ id: "m4", timestamp: new Date(), attempts: 10, body: { reason: "pagerduty delivery" } }]);
    await expect(worker.queue(batch as any, broken, createExecutionContext())).rejects.toThrow();
    expect(await store.pendingDeliveries(1)).toHaveLength(1);
    // The sweep, once the Worker is right again, puts it on the record.
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }) as any, baseEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(await store.pendingDeliveries(1)).toEqual([]);
  });

  it("the cron sweep processes what is left", async () => {
    const store = await harness.freshStore();
    await createD1Store(env.DB).recordDelivery({
      id: "pagerduty:left-behind",
      source: "pagerduty",
      webhookId: null,
      receivedAt: new Date().toISOString(),
      body: deliveries["zulip_acknowledged_v3.json"]!,
    });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }) as any, baseEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(await store.pendingDeliveries(1)).toEqual([]);
    expect(await store.timeline((await store.getIncident("PQ1K5C8"))!.id)).toHaveLength(1);
  });

  it("runs the herald.yaml built into it when HERALD_CONFIG_YAML is not set", async () => {
    const store = await harness.freshStore();
    const { HERALD_CONFIG_YAML: _config, PIPELINE_QUEUE: _queue, ...builtIn } = baseEnv;
    expect((await call("/healthz", {}, builtIn as WorkerEnv)).status).toBe(200);
    const response = await call("/webhooks/pagerduty", await signedDelivery(deliveries["zulip_acknowledged_v3.json"]!), builtIn as WorkerEnv);
    expect(response.status).toBe(202);
    expect(await store.pendingDeliveries(1)).toEqual([]);
    expect((await store.getIncident("PQ1K5C8"))?.status).toBe("acknowledged");
  });

  it("answers a configuration error with a message that names the key", async () => {
    const response = await call("/healthz", {}, { ...baseEnv, HERALD_CONFIG_YAML: "timezone: Mars/Olympus\n" });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("config_error");
    expect(body.error.message).toContain("HERALD_CONFIG_YAML: channels: is required");
  });

  it("keeps each invocation within D1's 50 queries (the free plan): a flood of P1 pages is worked off over several, each asking for the next", async () => {
    await harness.freshStore();
    for (const vendor of ["slack", "pagerduty", "github"]) await fetch(`${harness.vendorsUrl}/${vendor}/__reset`, { method: "POST" });
    const { db, counter } = countingD1();
    const asked: unknown[] = [];
    const limited = { ...baseEnv, DB: db, PIPELINE_QUEUE: { send: async (message: unknown) => void asked.push(message) } } as unknown as WorkerEnv;

    const perInvocation: number[] = [];
    const counting = async (work: () => Promise<unknown>) => {
      const before = counter.queries;
      await work();
      perInvocation.push(counter.queries - before);
    };
    const pages = p1Pages("FLOOD");
    for (const page of pages) await counting(async () => expect((await call("/webhooks/pagerduty", await signedDelivery(page), limited)).status).toBe(202));
    const messages = asked.length;
    expect(messages).toBe(4);

    // The consumer, as Queues would run it: one batch of all four, then each message it asks for.
    let invocations = 0;
    for (let pending = 1; pending > 0 && invocations < 60; invocations++) {
      const batch = createMessageBatch("herald-pipeline", [{ id: `m${invocations}`, timestamp: new Date(), attempts: 1, body: { reason: "test" } }]);
      const ctx = createExecutionContext();
      const before = asked.length;
      await counting(() => worker.queue(batch as any, limited, ctx));
      expect(await getQueueResult(batch, ctx)).toMatchObject({ ackAll: true });
      pending = asked.length - before;
    }
    expect(Math.max(...perInvocation), `queries per invocation: ${perInvocation.join(", ")}`).toBeLessThanOrEqual(50);
    expect(invocations, "the work took more than one invocation, each asking for the next").toBeGreaterThan(1);
    await expectFourIncidentsDoneOnce();
  });

  it("keeps the cron's reminders within D1's 50 queries: sixty incidents due at once are each reminded once, over several ticks", async () => {
    await harness.freshStore();
    const store = createD1Store(env.DB);
    const since = new Date(Date.now() - 30 * 60_000).toISOString();
    // Sixty incidents declared half an hour ago, none with a lead or scribe yet: each is due its roles reminder.
    const incidents: Incident[] = Array.from({ length: 60 }, (_, i) => ({
      id: `due-${i}`,
      pagerdutyId: null,
      number: null,
      title: `Disk full ${i}`,
      url: null,
      service: null,
      priority: "P3",
      status: "triggered",
      urgency: null,
      assignees: [],
      triggeredAt: since,
      acknowledgedAt: null,
      resolvedAt: null,
      updatedAt: since,
      channel: { id: "C00000001", name: `inc-disk-full-${i}` },
      roles: {},
      declaredBy: { id: "U0ADA0001", name: "ada" },
    }));
    await store.saveIncidents(incidents, [], since);
    const { db, counter } = countingD1();
    const cronEnv = { ...baseEnv, DB: db, PIPELINE_QUEUE: { send: async () => {} } } as unknown as WorkerEnv;
    const reminded = async () => (await Promise.all(incidents.map(async (i) => (await store.effectsFor(i.id)).filter((e) => e.key.endsWith(":roles-needed")).length)));

    const perTick: number[] = [];
    for (let tick = 0; tick < 20 && (await reminded()).some((n) => n === 0); tick++) {
      const before = counter.queries;
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: "* * * * *" }) as any, cronEnv, ctx);
      await waitOnExecutionContext(ctx);
      perTick.push(counter.queries - before);
    }
    expect(await reminded()).toEqual(incidents.map(() => 1));
    expect(Math.max(...perTick), `queries per tick: ${perTick.join(", ")}`).toBeLessThanOrEqual(50);
    expect(perTick.length, "the reminders took more than one tick").toBeGreaterThan(1);
  });

  it("keeps each invocation within its subrequests (HERALD_SUBREQUEST_LIMIT): the vendor calls of a flood of P1 pages are spread over several", async () => {
    await harness.freshStore();
    const vendors = ["slack", "pagerduty", "github"];
    for (const vendor of vendors) await fetch(`${harness.vendorsUrl}/${vendor}/__reset`, { method: "POST" });
    const vendorCalls = async () => {
      let total = 0;
      for (const vendor of vendors) total += ((await (await fetch(`${harness.vendorsUrl}/${vendor}/__calls`)).json()) as unknown[]).length;
      return total;
    };
    const asked: unknown[] = [];
    // Queries aplenty (Workers Paid), subrequests few: only the outbound calls hold each run back.
    const limited = { ...baseEnv, HERALD_D1_QUERY_LIMIT: "1000", HERALD_SUBREQUEST_LIMIT: "10", PIPELINE_QUEUE: { send: async (message: unknown) => void asked.push(message) } } as unknown as WorkerEnv;
    const pages = p1Pages("CALLS");
    for (const page of pages) expect((await call("/webhooks/pagerduty", await signedDelivery(page), limited)).status).toBe(202);
    expect(await vendorCalls()).toBe(0);

    const perInvocation: number[] = [];
    let invocations = 0;
    for (let pending = 1; pending > 0 && invocations < 60; invocations++) {
      const batch = createMessageBatch("herald-pipeline", [{ id: `c${invocations}`, timestamp: new Date(), attempts: 1, body: { reason: "test" } }]);
      const ctx = createExecutionContext();
      const before = asked.length;
      const callsBefore = await vendorCalls();
      await worker.queue(batch as any, limited, ctx);
      await waitOnExecutionContext(ctx);
      perInvocation.push((await vendorCalls()) - callsBefore);
      pending = asked.length - before;
    }
    expect(Math.max(...perInvocation), `vendor calls per invocation: ${perInvocation.join(", ")}`).toBeLessThanOrEqual(10);
    expect(perInvocation.filter((n) => n > 0).length, "the calls took more than one invocation").toBeGreaterThan(1);
    await expectFourIncidentsDoneOnce();
  });

  it("refuses a D1 query limit too small to get anything done, naming the variable", async () => {
    const response = await call("/healthz", {}, { ...baseEnv, HERALD_D1_QUERY_LIMIT: "10" } as WorkerEnv);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: "config_error", message: expect.stringContaining("HERALD_D1_QUERY_LIMIT: must be a whole number of at least 25") });
    const calls = await call("/healthz", {}, { ...baseEnv, HERALD_SUBREQUEST_LIMIT: "five" } as WorkerEnv);
    expect(calls.status).toBe(500);
    expect(((await calls.json()) as { error: unknown }).error).toMatchObject({ code: "config_error", message: expect.stringContaining("HERALD_SUBREQUEST_LIMIT: must be a whole number of at least 10") });
  });
});

describe("D1 as the store's database", () => {
  /** D1, counting its round trips: a statement run on its own, or a batch. `failNext` makes the next one fail. */
  function roundTrips() {
    const seen = { roundTrips: 0, failNext: false };
    const go = <T>(work: () => Promise<T>) => {
      seen.roundTrips++;
      if (seen.failNext) {
        seen.failNext = false;
        return Promise.reject(new Error("D1_ERROR: network connection lost"));
      }
      return work();
    };
    const statement = (s: D1PreparedStatement): D1PreparedStatement =>
      ({
        bind: (...params: unknown[]) => statement(s.bind(...params)),
        all: () => go(() => s.all()),
        first: () => go(() => s.first()),
        run: () => go(() => s.run()),
        inner: s,
      }) as unknown as D1PreparedStatement;
    const d1 = {
      prepare: (sql: string) => statement(env.DB.prepare(sql)),
      batch: (list: D1PreparedStatement[]) => go(() => env.DB.batch(list.map((s) => (s as unknown as { inner: D1PreparedStatement }).inner))),
    } as unknown as D1Database;
    return { d1, seen };
  }

  it("holds writes left for later until its next call, which takes them in its own round trip; the meter counts each once", async () => {
    await env.DB.prepare(`DELETE FROM external_refs`).run();
    const { d1, seen } = roundTrips();
    const meter = { count: 0 };
    const db = d1Database(d1, meter);
    await db.later([{ sql: `INSERT INTO external_refs (kind, ref, created_at) VALUES ('t', 'a', 'x')`, params: [] }]);
    await db.later([{ sql: `INSERT INTO external_refs (kind, ref, created_at) VALUES ('t', 'b', 'x')`, params: [] }]);
    expect(seen.roundTrips).toBe(0);
    expect(meter.count).toBe(2);
    // A read after them sees them, in one round trip, and gives its own rows only.
    expect(await db.all(`SELECT ref FROM external_refs WHERE kind = 't' ORDER BY ref`)).toEqual([{ ref: "a" }, { ref: "b" }]);
    expect(seen.roundTrips).toBe(1);
    expect(meter.count).toBe(3);
    // Nothing held: a call on its own, as before.
    expect(await db.first(`SELECT count(*) AS n FROM external_refs`)).toEqual({ n: 2 });
    await db.later([{ sql: `DELETE FROM external_refs WHERE ref = 'a'`, params: [] }]);
    expect(await db.run(`DELETE FROM external_refs WHERE ref = ?`, ["b"])).toBe(1);
    await db.later([{ sql: `INSERT INTO external_refs (kind, ref, created_at) VALUES ('t', 'c', 'x')`, params: [] }]);
    expect(await db.batch([{ sql: `DELETE FROM external_refs WHERE ref = ?`, params: ["zzz"] }])).toEqual([0]);
    expect(await db.first(`SELECT group_concat(ref) AS refs FROM external_refs`)).toEqual({ refs: "c" });
    expect(seen.roundTrips).toBe(5);
    expect(meter.count).toBe(9);
  });

  it("loses what it held when the call that takes it fails, and goes on", async () => {
    await env.DB.prepare(`DELETE FROM external_refs`).run();
    const { d1, seen } = roundTrips();
    const db = d1Database(d1);
    await db.later([{ sql: `INSERT INTO external_refs (kind, ref, created_at) VALUES ('t', 'lost', 'x')`, params: [] }]);
    seen.failNext = true;
    await expect(db.first(`SELECT 1 AS one`)).rejects.toThrow("network connection lost");
    expect(await db.all(`SELECT ref FROM external_refs`)).toEqual([]);
  });
});
