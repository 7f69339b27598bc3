import { signPagerDutyBody } from "../../src/pagerduty/verify.js";
import { WEBHOOK_SECRET } from "./test-config.js";

/** A POST /webhooks/pagerduty request signed as PagerDuty signs it. */
export async function signedDelivery(
  body: string,
  options: { secret?: string; webhookId?: string; headers?: Record<string, string> } = {},
): Promise<RequestInit> {
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-pagerduty-signature": await signPagerDutyBody(body, options.secret ?? WEBHOOK_SECRET),
      ...(options.webhookId ? { "x-webhook-id": options.webhookId } : {}),
      ...options.headers,
    },
    body,
  };
}

/**
 * The triggered(P1) → acknowledged → annotated → resolved scenario, made from the real fixtures: the
 * payloads are parsed and their incident ids aligned to the triggered one (the files stay untouched).
 */
export function lifecycle(fixtures: Record<string, string>): { name: string; body: string }[] {
  const triggered = JSON.parse(fixtures["zulip_triggered_v3.json"]!);
  const incidentId: string = triggered.event.data.id;
  triggered.event.data.priority = JSON.parse(fixtures["go-pagerduty_webhookv3_priority_updated_body.json"]!).event.data.priority;
  const acknowledged = JSON.parse(fixtures["zulip_acknowledged_v3.json"]!);
  acknowledged.event.data.id = incidentId;
  acknowledged.event.data.priority = triggered.event.data.priority;
  const annotated = JSON.parse(fixtures["zulip_annotated_v3.json"]!);
  annotated.event.data.incident.id = incidentId;
  const resolved = JSON.parse(fixtures["zulip_resolved_v3.json"]!);
  resolved.event.data.id = incidentId;
  resolved.event.data.priority = triggered.event.data.priority;
  for (const later of [acknowledged, resolved]) {
    later.event.data.title = triggered.event.data.title;
    later.event.data.number = triggered.event.data.number;
    later.event.data.html_url = triggered.event.data.html_url;
  }
  // Times in the order the scenario happens.
  acknowledged.event.occurred_at = "2021-06-04T13:39:10.000Z";
  annotated.event.occurred_at = "2021-06-04T13:45:00.000Z";
  resolved.event.occurred_at = "2021-06-04T14:20:29.781Z";
  return [
    { name: "triggered", body: JSON.stringify(triggered) },
    { name: "acknowledged", body: JSON.stringify(acknowledged) },
    { name: "annotated", body: JSON.stringify(annotated) },
    { name: "resolved", body: JSON.stringify(resolved) },
  ];
}
