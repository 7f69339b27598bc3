import type { Person } from "../domain/incident.js";
import type { IncidentEvent, IncidentSnapshot } from "../domain/incident-event.js";
import { splitCategory } from "../domain/note-category.js";
import type { IncidentData, PagerDutyWebhook } from "./types.js";

/** Turns a parsed PagerDuty delivery into Herald's incident events; unsupported deliveries give none. */
export function toIncidentEvents(webhook: PagerDutyWebhook): IncidentEvent[] {
  if (webhook.kind === "unsupported") return [];
  const { event } = webhook.envelope;
  const author: Person | null = event.agent ? { id: event.agent.id, name: event.agent.summary ?? event.agent.id } : null;
  const base = { id: `pagerduty:${event.id}`, occurredAt: event.occurred_at, author, source: "pagerduty" as const };

  switch (webhook.kind) {
    case "incident":
      return [
        {
          ...base,
          kind: "incident_changed",
          type: webhook.eventType,
          pagerdutyIncidentId: webhook.data.id,
          incidentTitle: webhook.data.title,
          snapshot: snapshotOf(webhook.data),
        },
      ];
    case "note": {
      const { category, text } = splitCategory(webhook.data.content);
      return [
        {
          ...base,
          kind: "note_added",
          type: "incident.annotated",
          pagerdutyIncidentId: webhook.data.incident.id,
          incidentTitle: webhook.data.incident.summary ?? null,
          noteId: webhook.data.id,
          category,
          text,
        },
      ];
    }
    case "incident_scoped":
      return [
        {
          ...base,
          kind: "activity",
          type: webhook.eventType,
          pagerdutyIncidentId: webhook.data.incident.id,
          incidentTitle: webhook.data.incident.summary ?? null,
          text: describeActivity(webhook.eventType, webhook.data as Record<string, unknown>),
          ...acceptedResponder(webhook.eventType, webhook.data as Record<string, unknown>),
        },
      ];
  }
}

/** The responder of an `incident.responder.replied` that accepted the request (to bring them into the room). */
function acceptedResponder(eventType: string, data: Record<string, unknown>): { responder?: { pagerdutyUserId: string; name: string } } {
  if (eventType !== "incident.responder.replied" || !["accepted", "joined"].includes(String(data.state))) return {};
  const user = data.user as { id?: unknown } | undefined;
  if (typeof user?.id !== "string" || !user.id) return {};
  return { responder: { pagerdutyUserId: user.id, name: summaryOf(data.user) ?? user.id } };
}

function snapshotOf(data: IncidentData): IncidentSnapshot {
  return {
    pagerdutyId: data.id,
    number: data.number ?? null,
    title: data.title,
    url: data.html_url ?? null,
    service: data.service ? { id: data.service.id, name: data.service.summary ?? data.service.id } : null,
    priority: data.priority?.summary ?? null,
    status: data.status,
    urgency: data.urgency ?? null,
    assignees: (data.assignees ?? []).map((a) => ({ id: a.id, name: a.summary ?? a.id })),
    createdAt: data.created_at ?? null,
    incidentKey: data.incident_key ?? null,
    resolveReason: resolveReasonOf(data.resolve_reason),
  };
}

/** PagerDuty's resolve_reason in words: a merge names the incident it went into; a text is kept as it is. */
function resolveReasonOf(reason: unknown): string | null {
  if (typeof reason === "string") return reason.trim() || null;
  if (!reason || typeof reason !== "object") return null;
  const { type, incident } = reason as { type?: unknown; incident?: unknown };
  if (type === "merge_resolve_reason") {
    const into = summaryOf(incident) ?? (incident as { id?: string } | undefined)?.id;
    return `Merged into ${into ? `incident ${into}` : "another incident"} in PagerDuty`;
  }
  return typeof type === "string" ? type.replace(/_/g, " ") : null;
}

function summaryOf(value: unknown): string | null {
  if (value && typeof value === "object" && "summary" in value && typeof value.summary === "string") {
    return value.summary;
  }
  return null;
}

function stringOf(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

function describeActivity(eventType: string, data: Record<string, unknown>): string {
  switch (eventType) {
    case "incident.responder.added": {
      const message = stringOf(data.message);
      return `Responder requested: ${summaryOf(data.user) ?? "someone"}${message ? ` (${message})` : ""}`;
    }
    case "incident.responder.replied":
      return `Responder ${summaryOf(data.user) ?? "someone"} replied: ${stringOf(data.state) ?? "unknown"}`;
    case "incident.status_update_published":
      return `Status update published: ${stringOf(data.message) ?? ""}`.trim();
    case "incident.conference_bridge.updated":
      return `Conference bridge updated: ${stringOf(data.conference_url) ?? "no URL"}`;
    case "incident.role.assigned":
      return `Role assigned: ${summaryOf(data.role) ?? stringOf(data.role) ?? "a role"} to ${summaryOf(data.user) ?? summaryOf(data.assignee) ?? "someone"}`;
    case "incident.custom_field_values.updated":
      return "Custom field values updated";
  }
  const verb = eventType.split(".").pop() ?? "updated";
  if (eventType.startsWith("incident.workflow.")) {
    return `Workflow ${summaryOf(data.incident_workflow) ?? stringOf(data.summary) ?? ""} ${verb}`.replace(/\s+/g, " ");
  }
  if (eventType.startsWith("incident.task.")) {
    return `Task ${summaryOf(data.task) ?? stringOf(data.summary) ?? ""} ${verb}`.replace(/\s+/g, " ");
  }
  return eventType;
}
