import * as z from "../validation/zod.js";

/** Shapes of PagerDuty V3 webhook payloads, as documented; unknown fields pass through. */

/**
 * PagerDuty's ids (P + letters and digits, ULIDs for events, UUIDs in places). Herald keys records
 * and deliveries on them, so anything else (control characters, broken Unicode) is refused at the door.
 */
export const pagerDutyId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "is not a PagerDuty id");

export const reference = z
  .object({
    id: pagerDutyId,
    summary: z.string().nullish(),
    html_url: z.string().nullish(),
  })
  .passthrough();

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

export const envelopeSchema = z.object({
  event: z
    .object({
      id: pagerDutyId,
      event_type: z.string().min(1),
      resource_type: z.string().min(1),
      occurred_at: z.string().datetime({ offset: true }),
      agent: reference.nullish(),
      client: z.unknown().optional(),
      // Any object: the event type's own schema reads it (parse.ts). Checked here without copying it,
      // which a record schema would do key by key.
      data: z.custom<Record<string, unknown>>(isObject, "expected an object"),
    })
    .passthrough(),
});

export const incidentDataSchema = z
  .object({
    id: pagerDutyId,
    type: z.literal("incident"),
    html_url: z.string().nullish(),
    number: z.number().int().nullish(),
    status: z.enum(["triggered", "acknowledged", "resolved"]),
    title: z.string(),
    created_at: z.string().nullish(),
    service: reference.nullish(),
    assignees: z.array(reference).nullish(),
    priority: reference.nullish(),
    urgency: z.string().nullish(),
    /** The de-duplication key: Herald's incident id, for an incident Herald opened. */
    incident_key: z.string().nullish(),
    /** Why it was resolved, when PagerDuty says (a merge into another incident, say). */
    resolve_reason: z.unknown().optional(),
  })
  .passthrough();

const incidentReference = reference;

export const noteDataSchema = z
  .object({
    id: pagerDutyId,
    type: z.literal("incident_note"),
    incident: incidentReference,
    content: z.string(),
    trimmed: z.boolean().nullish(),
  })
  .passthrough();

/** Events that are not the incident itself but name it: responders, status updates, bridges, workflows… */
export const incidentScopedDataSchema = z
  .object({
    incident: incidentReference,
  })
  .passthrough();

export type Envelope = z.infer<typeof envelopeSchema>;
export type IncidentData = z.infer<typeof incidentDataSchema>;
export type NoteData = z.infer<typeof noteDataSchema>;
export type IncidentScopedData = z.infer<typeof incidentScopedDataSchema>;

/** Event types whose `data` is the incident itself. */
export const INCIDENT_EVENT_TYPES = [
  "incident.acknowledged",
  "incident.delegated",
  "incident.escalated",
  "incident.priority_updated",
  "incident.reassigned",
  "incident.reopened",
  "incident.resolved",
  "incident.triggered",
  "incident.unacknowledged",
  "incident.service_updated",
  "incident.incident_type.changed",
] as const;

/** Documented event types whose `data` names the incident in `data.incident`. */
export const INCIDENT_SCOPED_EVENT_TYPES = [
  "incident.responder.added",
  "incident.responder.replied",
  "incident.status_update_published",
  "incident.role.assigned",
  "incident.conference_bridge.updated",
  "incident.custom_field_values.updated",
] as const;

/** Documented families whose members name the incident in `data.incident`. */
export const INCIDENT_SCOPED_PREFIXES = ["incident.task.", "incident.workflow."] as const;

/** A parsed delivery, tagged by kind; every variant keeps the raw envelope. */
export type PagerDutyWebhook =
  | { kind: "incident"; eventType: string; envelope: Envelope; data: IncidentData }
  | { kind: "note"; eventType: "incident.annotated"; envelope: Envelope; data: NoteData }
  | { kind: "incident_scoped"; eventType: string; envelope: Envelope; data: IncidentScopedData }
  | { kind: "unsupported"; eventType: string; envelope: Envelope };
