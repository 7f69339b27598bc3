import type { IncidentEvent } from "../domain/incident-event.js";
import { toIncidentEvents } from "./normalize.js";
import { parsePagerDutyWebhook } from "./parse.js";

/** A stored PagerDuty webhook delivery, read as the incident events it stands for. */
export function readPagerDutyDelivery(body: string): IncidentEvent[] {
  return toIncidentEvents(parsePagerDutyWebhook(body));
}
