import type { ChatCommand } from "./chat-command.js";
import type { Incident, Person } from "./incident.js";
import type { IncidentEvent } from "./incident-event.js";

/** Built-in roles of the process, by key; further roles come from the configuration. */
export const BUILT_IN_ROLES: Record<string, string> = { lead: "Incident Lead", scribe: "Scribe" };

/** The buttons under an incident's summary, by action id: the role a click takes. */
export const VOLUNTEER_BUTTONS: Record<string, { role: string; label: string }> = {
  volunteer_lead: { role: "lead", label: "I'll lead" },
  volunteer_scribe: { role: "scribe", label: "I'll scribe" },
};

/** The two answers under the triage checklist (process step 1). */
export const TRIAGE_DECLARE = "triage_declare";
export const TRIAGE_NOT_INCIDENT = "triage_not_incident";
export const TRIAGE_BUTTONS: readonly { actionId: string; label: string; value: string; command: string }[] = [
  { actionId: TRIAGE_DECLARE, label: "Declare an incident", value: "declare", command: "declare" },
  { actionId: TRIAGE_NOT_INCIDENT, label: "Not an incident", value: "not-incident", command: "not-incident <reason>" },
];

/** The Publish button under a pending status-page update. */
export const STATUS_PUBLISH = "status_publish";

/**
 * The Publish button under a draft: its value names the draft (when it was prepared), so a click
 * on the post of a draft since replaced publishes nothing instead of the newer text nobody reviewed
 * there.
 */
export function publishButton(draft: { preparedAt: string }) {
  return { actionId: STATUS_PUBLISH, label: "Publish", value: `draft:${draft.preparedAt}`, command: "status publish" };
}

/** The command a Publish button's click stands for; a value that names no draft (from posts made before drafts were named) publishes the pending one. */
export function publishCommand(value: unknown): ChatCommand {
  const draft = typeof value === "string" && value.startsWith("draft:") ? value.slice("draft:".length) : "";
  return { name: "status", action: "publish", ...(draft ? { draft } : {}) };
}

/** The role a volunteer button gives, or null for any other action. */
export function volunteerRole(actionId: string): string | null {
  return VOLUNTEER_BUTTONS[actionId]?.role ?? null;
}

export interface CommandContext {
  /** Unique per command invocation; the events' ids derive from it. */
  id: string;
  at: string;
  /** The chat platform it was said on. */
  source: string;
  actor: Person;
  /** The channel (room) it was said in. */
  place?: string;
  /** The incident of the channel; null outside one (declare). */
  incident: Incident | null;
  /** Impacted services from the configuration, by key. */
  services: Record<string, string>;
  /** Role names by key: the built-in ones and the configured ones. */
  roleNames: Record<string, string>;
  /** For `postmortem schedule`: when, as read in the team's time zone. */
  meeting?: { at: string; display: string };
}

/** The id of the incident a declare request opens: derived from the request's id, so processing it again finds the same incident. */
export function declaredIncidentId(requestId: string): string {
  return `declared-${requestId.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/** Commands that change the incident's record, and so are stored and processed in the background. */
export function isRecordCommand(command: ChatCommand): boolean {
  return (
    command.name === "assign" ||
    command.name === "note" ||
    command.name === "ticket" ||
    command.name === "resolve" ||
    command.name === "not-incident" ||
    command.name === "checkin" ||
    command.name === "postmortem" ||
    command.name === "announce" ||
    command.name === "status" ||
    command.name === "postmortem-schedule" ||
    command.name === "runbook" ||
    (command.name === "declare" && command.quick !== null)
  );
}

/**
 * The incident events a chat command stands for. Pure: a command that changes nothing on the record
 * gives none.
 */
export function commandEvents(command: ChatCommand, context: CommandContext): IncidentEvent[] {
  if (command.name === "declare") {
    if (!command.quick) return [];
    const { priority, service, title, description = null, notify = [] } = command.quick;
    return [
      {
        id: context.id,
        occurredAt: context.at,
        author: context.actor,
        source: context.source,
        pagerdutyIncidentId: null,
        // Derived from the command's own id, so processing it again finds the same incident.
        incidentId: declaredIncidentId(context.id),
        incidentTitle: title,
        kind: "incident_declared",
        type: "incident.triggered",
        title,
        priority,
        service: { id: service, name: context.services[service] ?? service },
        description: description || null,
        notify,
        ...(context.place ? { declaredIn: context.place } : {}),
      },
    ];
  }
  const incident = context.incident;
  if (!incident) return [];
  const base = {
    id: context.id,
    occurredAt: context.at,
    author: context.actor,
    source: context.source,
    pagerdutyIncidentId: incident.pagerdutyId,
    incidentId: incident.id,
    incidentTitle: incident.title,
  };
  switch (command.name) {
    case "assign": {
      const who = command.who;
      const person: Person = who.kind === "me" ? context.actor : { id: who.id, name: who.name ?? who.id };
      return [
        {
          ...base,
          kind: "role_assigned",
          type: "role.assigned",
          role: command.role,
          roleName: context.roleNames[command.role] ?? command.role,
          person,
        },
      ];
    }
    case "note":
      return [{ ...base, kind: "note_added", type: "note.added", noteId: context.id, category: command.category, text: command.text }];
    case "checkin":
      return [{ ...base, kind: "checkin_set", type: "checkin.set", everyMinutes: command.everyMinutes }];
    case "resolve":
      return [{ ...base, kind: "resolution_recorded", type: "incident.resolved", note: command.note, temporary: command.temporary }];
    case "postmortem-schedule": {
      if (!context.meeting) return [];
      return [{ ...base, kind: "postmortem_scheduled", type: "postmortem.scheduled", at: context.meeting.at, display: context.meeting.display }];
    }
    case "ticket":
      return [
        { ...base, kind: "ticket_recorded", type: "ticket.recorded", thirdParty: command.thirdParty, caseId: command.caseId, url: command.url },
      ];
    default:
      return [];
  }
}
