import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries, goPagerDutyVector } from "../support/fixtures.js";
import { signedDelivery } from "../support/signed.js";
import { API_TOKEN, WEBHOOK_SECRET } from "../support/test-config.js";

const triggered = deliveries["zulip_triggered_v3.json"]!;

async function nothingStored(herald: Awaited<ReturnType<typeof harness.start>>) {
  expect(await herald.store.pendingDeliveries(10)).toEqual([]);
  expect(await herald.store.listIncidents()).toEqual([]);
}

async function expectError(response: Response, status: number, code: string, message: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

describe(`POST /webhooks/pagerduty (${harness.runtime})`, () => {
  it("answers 202 and stores a signed delivery once", async () => {
    const herald = await harness.start();
    const response = await herald.request("/webhooks/pagerduty", await signedDelivery(triggered));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "accepted" });
    const [stored, ...more] = await herald.store.pendingDeliveries(10);
    expect(more).toEqual([]);
    expect(stored!.body).toBe(triggered);
    // The incident it is about, so a run reads that incident with its page of deliveries.
    expect(stored!.subject).toBe(JSON.parse(triggered).event.data.id);
    expect(stored!.note).toBeUndefined();
  });

  it("stores an incident.annotated delivery with its incident and its note, so a run tells Herald's own notes with its page", async () => {
    const herald = await harness.start();
    const annotated = deliveries["zulip_annotated_v3.json"]!;
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(annotated))).status).toBe(202);
    const [stored] = await herald.store.pendingDeliveries(10);
    const { data } = JSON.parse(annotated).event;
    expect([stored!.subject, stored!.note]).toEqual([data.incident.id, data.id]);
  });

  it("accepts a delivery signed with the go-pagerduty vector's secret only if that secret is configured", async () => {
    const herald = await harness.start();
    const valid = goPagerDutyVector.vector.cases.find((c) => c.name === "valid")!;
    const response = await herald.request("/webhooks/pagerduty", {
      method: "POST",
      headers: { "content-type": "application/json", "x-pagerduty-signature": valid.header },
      body: goPagerDutyVector.body,
    });
    await expectError(response, 401, "invalid_signature", /matches no configured secret/);
    await nothingStored(herald);
  });

  it("refuses a tampered body, a wrong secret and a missing header with 401", async () => {
    const herald = await harness.start();
    const good = await signedDelivery(triggered);
    const tampered = { ...good, body: triggered.replace("Test Incident 3", "Test Incident 4") };
    await expectError(await herald.request("/webhooks/pagerduty", tampered), 401, "invalid_signature", /no configured secret/);
    const wrong = await signedDelivery(triggered, { secret: "not-our-secret" });
    await expectError(await herald.request("/webhooks/pagerduty", wrong), 401, "invalid_signature", /no configured secret/);
    const missing = { ...good, headers: { "content-type": "application/json" } };
    await expectError(await herald.request("/webhooks/pagerduty", missing), 401, "invalid_signature", /missing X-PagerDuty-Signature/);
    await nothingStored(herald);
  });

  it("accepts the previous secret while it is still listed (rotation), and refuses it once it is rotated out", async () => {
    const during = await harness.start();
    const signedWithOld = await signedDelivery(triggered, { secret: "old-rotated-secret" });
    expect((await during.request("/webhooks/pagerduty", signedWithOld)).status).toBe(202);
    // The rotation done: only the new secret is listed, and the same signature is now stale.
    const after = await harness.start({ env: { PAGERDUTY_WEBHOOK_SECRETS: WEBHOOK_SECRET } });
    await expectError(await after.request("/webhooks/pagerduty", await signedDelivery(triggered, { secret: "old-rotated-secret" })), 401, "invalid_signature", /no configured secret/);
    expect((await after.request("/webhooks/pagerduty", await signedDelivery(triggered))).status).toBe(202);
  });

  it("refuses malformed JSON with 400, a wrong media type with 415 and an oversized body with 413", async () => {
    const herald = await harness.start();
    await expectError(
      await herald.request("/webhooks/pagerduty", await signedDelivery("{\"event\": ")),
      400,
      "malformed_body",
      /not valid JSON/,
    );
    await expectError(
      await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify({ event: { id: "x" } }))),
      400,
      "malformed_body",
      /not a PagerDuty V3 webhook/,
    );
    const form = await signedDelivery(triggered, { headers: { "content-type": "application/x-www-form-urlencoded" } });
    await expectError(await herald.request("/webhooks/pagerduty", form), 415, "unsupported_media_type", /application\/json/);
    const huge = JSON.stringify({ padding: "x".repeat(300 * 1024) });
    await expectError(await herald.request("/webhooks/pagerduty", await signedDelivery(huge)), 413, "payload_too_large", /262144 bytes/);
    await nothingStored(herald);
  });

  it("acknowledges an unknown event type with 202 and ignores it", async () => {
    const herald = await harness.start();
    const envelope = JSON.parse(triggered);
    envelope.event.event_type = "incident.brand_new_thing";
    const response = await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(envelope)));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "ignored", event_type: "incident.brand_new_thing" });
    await nothingStored(herald);
  });

  it("stores a redelivery once, by event id or by X-Webhook-Id", async () => {
    const herald = await harness.start();
    const first = await herald.request("/webhooks/pagerduty", await signedDelivery(triggered, { webhookId: "wh-1" }));
    expect(await first.json()).toEqual({ status: "accepted" });
    const again = await herald.request("/webhooks/pagerduty", await signedDelivery(triggered, { webhookId: "wh-1" }));
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ status: "duplicate" });
    const envelope = JSON.parse(triggered);
    envelope.event.id = "ANOTHER-EVENT-ID";
    const sameWebhook = await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(envelope), { webhookId: "wh-1" }));
    expect(await sameWebhook.json()).toEqual({ status: "duplicate" });
    expect(await herald.store.pendingDeliveries(10)).toHaveLength(1);
  });

  it("guards /api with the bearer token and answers JSON errors", async () => {
    const herald = await harness.start();
    await expectError(await herald.request("/api/incidents"), 401, "unauthorized", /Bearer/);
    await expectError(
      await herald.request("/api/incidents", { headers: { authorization: "Bearer wrong" } }),
      401,
      "unauthorized",
      /Bearer/,
    );
    const ok = await herald.request("/api/incidents", { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ incidents: [], next: null });
    await expectError(
      await herald.request("/api/incidents/nope", { headers: { authorization: `Bearer ${API_TOKEN}` } }),
      404,
      "not_found",
      /no incident nope/,
    );
    const health = await herald.request("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", storage: "ok" });
  });

  it("answers 405 with Allow for a method a path does not take, and 404 for a path it does not have", async () => {
    const herald = await harness.start();
    const wrongMethod = await herald.request("/webhooks/pagerduty");
    expect(wrongMethod.headers.get("allow")).toBe("POST, OPTIONS");
    await expectError(wrongMethod, 405, "method_not_allowed", /\/webhooks\/pagerduty takes POST, not GET/);
    const onHealth = await herald.request("/healthz", { method: "DELETE" });
    expect(onHealth.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    await expectError(onHealth, 405, "method_not_allowed", /takes GET or HEAD, not DELETE/);
    // Behind the API's guard, as the path's own methods are.
    await expectError(await herald.request("/api/incidents/nope", { method: "PUT" }), 401, "unauthorized", /Bearer/);
    const onIncident = await herald.request("/api/incidents/nope", { method: "PUT", headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(onIncident.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    await expectError(onIncident, 405, "method_not_allowed", /takes GET or HEAD, not PUT/);
    const options = await herald.request("/slack/commands", { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("POST, OPTIONS");
    await expectError(await herald.request("/webhooks/nothing"), 404, "not_found", /no route for GET \/webhooks\/nothing/);
    await expectError(await herald.request("/webhooks/nothing", { method: "OPTIONS" }), 404, "not_found", /no route for OPTIONS/);
    await nothingStored(herald);
  });
});
