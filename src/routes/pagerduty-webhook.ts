import type { Handler } from "hono";
import { parsePagerDutyWebhook } from "../pagerduty/parse.js";
import { verifyPagerDutySignature } from "../pagerduty/verify.js";
import type { HmacSha256 } from "../crypto/hmac.js";
import type { Background } from "../ports/background.js";
import type { Clock } from "../ports/clock.js";
import type { DeliveryStore } from "../ports/store.js";
import { acceptDelivery } from "./accept-delivery.js";
import { newIncidentUrgency } from "../domain/urgency.js";
import { readBody, requestHeader } from "./read-body.js";

export interface PagerDutyWebhookDeps {
  store: DeliveryStore;
  clock: Clock;
  background: Background;
  secrets: readonly string[];
  hmac?: HmacSha256;
}

// PagerDuty drops payloads over 256 KB itself; anything larger is not from it.
const LIMIT_BYTES = 256 * 1024;
const decoder = new TextDecoder();

/**
 * POST /webhooks/pagerduty: verify, parse, store once, answer 202; the pipeline does the rest in the
 * background. A redelivery (same event id or X-Webhook-Id) is acknowledged and not stored again.
 */
export function pagerDutyWebhookHandler(deps: PagerDutyWebhookDeps): Handler {
  return async (c) => {
    const body = await readBody(c, { mediaType: "application/json", limitBytes: LIMIT_BYTES });
    await verifyPagerDutySignature(body, requestHeader(c, "x-pagerduty-signature"), deps.secrets, deps.hmac);
    const text = decoder.decode(body);
    const webhook = parsePagerDutyWebhook(text);
    if (webhook.kind === "unsupported") {
      return c.json({ status: "ignored", event_type: webhook.eventType }, 202);
    }
    const stored = await acceptDelivery(deps, {
      id: `pagerduty:${webhook.envelope.event.id}`,
      source: "pagerduty",
      webhookId: requestHeader(c, "x-webhook-id") ?? null,
      body: text,
      urgency: webhook.kind === "incident" && webhook.eventType === "incident.triggered" ? newIncidentUrgency(webhook.data.priority?.summary) : 2,
      subject: webhook.kind === "incident" ? webhook.data.id : webhook.data.incident.id,
      ...(webhook.kind === "note" ? { note: webhook.data.id } : {}),
    });
    return c.json({ status: stored ? "accepted" : "duplicate" }, 202);
  };
}
