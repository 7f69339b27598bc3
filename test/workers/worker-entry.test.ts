import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createD1Store } from "../../src/store/d1-store.js";
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

  it("answers a configuration error with a message that names the key", async () => {
    const response = await call("/healthz", {}, { ...baseEnv, HERALD_CONFIG_YAML: "timezone: Mars/Olympus\n" });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("config_error");
    expect(body.error.message).toContain("HERALD_CONFIG_YAML: channels: is required");
  });
});
