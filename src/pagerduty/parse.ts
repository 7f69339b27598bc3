import type { ZodError } from "../validation/zod.js";
import { MalformedBodyError } from "../errors.js";
import {
  envelopeSchema,
  incidentDataSchema,
  incidentScopedDataSchema,
  INCIDENT_EVENT_TYPES,
  INCIDENT_SCOPED_EVENT_TYPES,
  INCIDENT_SCOPED_PREFIXES,
  noteDataSchema,
  type PagerDutyWebhook,
} from "./types.js";

/**
 * Parses a PagerDuty V3 webhook body. Malformed JSON or a known event whose data lacks what the
 * docs promise throws MalformedBodyError; an event type Herald does not know becomes `unsupported`.
 */
export function parsePagerDutyWebhook(body: string): PagerDutyWebhook {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedBodyError("body is not valid JSON");
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new MalformedBodyError(`not a PagerDuty V3 webhook: ${explain(envelope.error)}`);
  const { event } = envelope.data;
  const eventType = event.event_type;

  if ((INCIDENT_EVENT_TYPES as readonly string[]).includes(eventType)) {
    const data = incidentDataSchema.safeParse(event.data);
    if (!data.success) throw new MalformedBodyError(`${eventType}: event.data ${explain(data.error)}`);
    return { kind: "incident", eventType, envelope: envelope.data, data: data.data };
  }
  if (eventType === "incident.annotated") {
    const data = noteDataSchema.safeParse(event.data);
    if (!data.success) throw new MalformedBodyError(`${eventType}: event.data ${explain(data.error)}`);
    return { kind: "note", eventType, envelope: envelope.data, data: data.data };
  }
  if (
    (INCIDENT_SCOPED_EVENT_TYPES as readonly string[]).includes(eventType) ||
    INCIDENT_SCOPED_PREFIXES.some((prefix) => eventType.startsWith(prefix))
  ) {
    const data = incidentScopedDataSchema.safeParse(event.data);
    if (!data.success) throw new MalformedBodyError(`${eventType}: event.data ${explain(data.error)}`);
    return { kind: "incident_scoped", eventType, envelope: envelope.data, data: data.data };
  }
  return { kind: "unsupported", eventType, envelope: envelope.data };
}

function explain(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "is invalid";
  return `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`;
}
