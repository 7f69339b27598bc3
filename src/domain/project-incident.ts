import { withoutBidiControls } from "./bidi.js";
import type { Incident, Person, TimelineEntry } from "./incident.js";
import type { HeraldChange, IncidentEvent, IncidentSnapshot } from "./incident-event.js";

export interface Projection {
  incident: Incident;
  entry: TimelineEntry;
}

/**
 * Applies one event to the incident's record (or starts the record) and writes its timeline entry.
 * Pure: the caller supplies the id a new incident gets.
 */
export function projectIncident(current: Incident | null, event: IncidentEvent, newId: string): Projection {
  const base = current ?? startIncident(event, newId);
  const incident = cleaned(applyEvent(base, event));
  const entry: TimelineEntry = {
    id: event.id,
    incidentId: incident.id,
    at: event.occurredAt,
    author: event.author && cleanPerson(event.author),
    source: event.source,
    category: categoryOf(event),
    kind: event.type,
    text: withoutBidiControls(describe(current, incident, event)),
  };
  return { incident: { ...incident, updatedAt: laterOf(incident.updatedAt, event.occurredAt) }, entry };
}

/** The record without bidirectional controls in its titles and names, whichever source they came from. */
function cleaned(incident: Incident): Incident {
  return {
    ...incident,
    title: withoutBidiControls(incident.title),
    description: incident.description && withoutBidiControls(incident.description),
    service: incident.service && { ...incident.service, name: withoutBidiControls(incident.service.name) },
    assignees: incident.assignees.map(cleanPerson),
    roles: Object.fromEntries(Object.entries(incident.roles).map(([role, person]) => [role, cleanPerson(person)])),
    declaredBy: incident.declaredBy && cleanPerson(incident.declaredBy),
  };
}

function cleanPerson<P extends Person>(person: P): P {
  return { ...person, name: withoutBidiControls(person.name) };
}

/** What the event changes on the record itself (the timeline entry aside). */
function applyEvent(incident: Incident, event: IncidentEvent): Incident {
  switch (event.kind) {
    case "incident_changed":
      return applySnapshot(incident, event.snapshot, event);
    case "role_assigned":
      return { ...incident, roles: { ...incident.roles, [event.role]: event.person } };
    case "note_added":
      return event.source === "pagerduty" ? withPagerDutyNote(incident, event.text, event.occurredAt) : incident;
    case "postmortem_scheduled":
      return { ...incident, postmortemMeeting: { at: event.at, by: event.author, leadReminded: false } };
    case "checkin_set": {
      const nextAt = event.everyMinutes && new Date(Date.parse(event.occurredAt) + event.everyMinutes * 60_000).toISOString();
      return { ...incident, checkin: event.everyMinutes && nextAt ? { everyMinutes: event.everyMinutes, nextAt } : null };
    }
    case "herald_action":
      return applyHeraldChange(incident, event.change);
    case "ticket_recorded":
      return { ...incident, supportCases: [...(incident.supportCases ?? []), { thirdParty: event.thirdParty, caseId: event.caseId }] };
    case "resolution_recorded":
      return {
        ...incident,
        status: "resolved",
        resolvedAt: incident.status === "resolved" ? incident.resolvedAt : event.occurredAt,
        resolution: { note: event.note, temporary: event.temporary, by: event.author },
      };
    default:
      return incident;
  }
}

function applyHeraldChange(incident: Incident, change: HeraldChange): Incident {
  switch (change.what) {
    case "room_created":
      return { ...incident, channel: change.channel };
    case "pagerduty_linked":
      return {
        ...incident,
        pagerdutyId: change.pagerdutyId,
        url: change.url ?? incident.url,
        // The room and documents are named by the number the incident has already.
        number: incident.number ?? change.number,
        pagerdutyNumber: change.number ?? incident.pagerdutyNumber ?? null,
      };
    case "not_done":
      return incident;
    case "follow_up_raised":
      return { ...incident, followUps: [...(incident.followUps ?? []), change.followUp] };
    case "announcement_posted": {
      // One announcement a channel: a new one replaces the one it supersedes.
      const others = (incident.announcements ?? []).filter((a) => a.channel !== change.announcement.channel);
      return { ...incident, announcements: [...others, change.announcement] };
    }
    case "announcement_gone":
      return { ...incident, announcements: (incident.announcements ?? []).filter((a) => !(a.channel === change.announcement.channel && a.messageId === change.announcement.messageId)) };
    case "status_drafted":
      return { ...incident, statusPage: { ...(incident.statusPage ?? { postId: null, published: [] }), draft: change.draft } };
    case "status_published": {
      const record = incident.statusPage ?? { draft: null, postId: null, published: [] };
      return { ...incident, statusPage: { draft: null, postId: change.postId ?? record.postId, published: [...record.published, change.published] } };
    }
    case "document_proposed":
      return { ...incident, documents: { ...incident.documents, [change.document]: { path: change.path, url: change.url } } };
  }
}

function describeHeraldChange(change: HeraldChange): string {
  switch (change.what) {
    case "room_created":
      return `Herald opened the incident's room #${change.channel.name} (${change.platform})`;
    case "pagerduty_linked":
      return `Opened in PagerDuty${change.number !== null ? ` as #${change.number}` : ""} (${change.pagerdutyId})`;
    case "not_done":
      return `Herald could not ${change.action}: ${change.reason}`;
    case "follow_up_raised":
      return `Follow-up raised: ${change.followUp.title}${change.followUp.url ? ` (${change.followUp.url})` : " (kept here: no issue tracker configured)"}`;
    case "announcement_posted":
      return `Users' announcement posted in ${change.announcement.to}`;
    case "announcement_gone":
      return `Users' announcement in ${change.announcement.to} can no longer be kept up to date: ${change.reason}`;
    case "status_drafted":
      return `Status-page ${change.draft.kind === "resolution" ? "resolution" : "update"} drafted for review`;
    case "status_published":
      return `Status page ${change.published.kind === "resolution" ? "resolution" : "update"} published by ${change.published.by.name}`;
    case "document_proposed":
      return `${change.document === "postmortem" ? "Post-mortem" : "Runbook"} draft proposed: ${change.url ?? change.path}`;
  }
}

function startIncident(event: IncidentEvent, id: string): Incident {
  if (event.kind === "incident_declared") {
    return {
      id,
      pagerdutyId: null,
      number: null,
      title: event.title,
      url: null,
      service: event.service,
      priority: event.priority,
      status: "triggered",
      urgency: null,
      assignees: [],
      triggeredAt: event.occurredAt,
      acknowledgedAt: null,
      resolvedAt: null,
      updatedAt: event.occurredAt,
      channel: null,
      roles: {},
      declaredBy: event.author,
      description: event.description,
      platform: event.source,
      declaredIn: event.declaredIn ?? null,
    };
  }
  const snapshot = event.kind === "incident_changed" ? event.snapshot : null;
  return {
    id,
    pagerdutyId: event.pagerdutyIncidentId,
    number: snapshot?.number ?? null,
    pagerdutyNumber: snapshot?.number ?? null,
    title: snapshot?.title ?? event.incidentTitle ?? "(untitled incident)",
    url: snapshot?.url ?? null,
    service: snapshot?.service ?? null,
    priority: snapshot?.priority ?? null,
    status: "triggered",
    urgency: snapshot?.urgency ?? null,
    assignees: snapshot?.assignees ?? [],
    triggeredAt: snapshot?.createdAt ?? event.occurredAt,
    acknowledgedAt: null,
    resolvedAt: null,
    updatedAt: event.occurredAt,
    channel: null,
    roles: {},
  };
}

function applySnapshot(incident: Incident, snapshot: IncidentSnapshot, event: IncidentEvent): Incident {
  // PagerDuty's webhooks usually leave the priority out, and name PagerDuty's own service: neither
  // erases what Herald knows (declared in chat, say). A real change in PagerDuty does change it.
  const priority = event.type === "incident.priority_updated" ? snapshot.priority : (snapshot.priority ?? incident.priority);
  const service = event.type === "incident.service_updated" || !incident.service ? (snapshot.service ?? incident.service) : incident.service;
  const next: Incident = {
    ...incident,
    // One PagerDuty incident is one Herald incident: an echo of one Herald opened links it.
    pagerdutyId: incident.pagerdutyId ?? snapshot.pagerdutyId,
    number: incident.number ?? snapshot.number,
    pagerdutyNumber: snapshot.number ?? incident.pagerdutyNumber ?? null,
    title: snapshot.title,
    url: snapshot.url ?? incident.url,
    service,
    priority,
    urgency: snapshot.urgency ?? incident.urgency,
    assignees: snapshot.assignees,
    status: snapshot.status,
  };
  if (event.type === "incident.reopened" || (incident.status === "resolved" && snapshot.status !== "resolved")) {
    next.resolvedAt = null;
  }
  if (snapshot.status === "acknowledged" && !incident.acknowledgedAt) next.acknowledgedAt = event.occurredAt;
  if (snapshot.status === "resolved" && incident.status !== "resolved") {
    next.resolvedAt = event.occurredAt;
    // Resolved in PagerDuty: its reason, or the note added as it was resolved, is the resolution.
    const note = snapshot.resolveReason ?? resolvingNote(incident.lastPagerDutyNote, event.occurredAt);
    if (note) next.resolution = { note, temporary: false, by: event.author };
  }
  if (next.status !== "resolved") next.resolution = incident.status === "resolved" ? null : incident.resolution;
  return next;
}

/** How close to a resolve in PagerDuty a note there counts as its resolving note (PagerDuty adds it as a note). */
const RESOLVING_NOTE_MS = 2 * 60_000;

function resolvingNote(note: Incident["lastPagerDutyNote"], resolvedAt: string): string | null {
  return note && Math.abs(Date.parse(resolvedAt) - Date.parse(note.at)) <= RESOLVING_NOTE_MS ? note.text : null;
}

/** A note from PagerDuty: kept as the last one, and the resolution when it comes just after a resolve there without one. */
function withPagerDutyNote(incident: Incident, text: string, at: string): Incident {
  const next = { ...incident, lastPagerDutyNote: { text, at } };
  if (incident.status === "resolved" && !incident.resolution && incident.resolvedAt && resolvingNote(next.lastPagerDutyNote, incident.resolvedAt)) {
    next.resolution = { note: text, temporary: false, by: null };
  }
  return next;
}

function describe(before: Incident | null, after: Incident, event: IncidentEvent): string {
  if (event.kind === "herald_action") return describeHeraldChange(event.change);
  if (event.kind === "role_assigned") {
    const previous = before?.roles[event.role];
    return `${event.person.name} is now ${event.roleName}${previous ? ` (taking over from ${previous.name})` : ""}`;
  }
  if (event.kind === "incident_declared") {
    return `Declared by ${event.author?.name ?? "someone"}: ${event.title} (${event.priority}, ${event.service.name})`;
  }
  if (event.kind === "checkin_set") {
    return event.everyMinutes ? `Team check-ins every ${event.everyMinutes} minutes` : "Team check-ins stopped";
  }
  if (event.kind === "resolution_recorded") {
    return `Resolved${event.temporary ? " with a temporary fix" : ""}: ${event.note}`;
  }
  if (event.kind === "postmortem_scheduled") return `Post-mortem meeting scheduled for ${event.display}`;
  if (event.kind === "ticket_recorded") {
    return `Support case ${event.caseId} logged with ${event.thirdParty.toUpperCase()}${event.url ? ` (${event.url})` : ""}`;
  }
  if (event.kind !== "incident_changed") return event.text;
  const by = event.author ? ` by ${event.author.name}` : "";
  const people = after.assignees.map((a) => a.name).join(", ") || "nobody";
  switch (event.type) {
    case "incident.triggered": {
      const facts = [after.priority, after.service?.name, after.urgency && `${after.urgency} urgency`].filter(Boolean);
      return `Triggered${by}: ${after.title}${facts.length ? ` (${facts.join(", ")})` : ""}`;
    }
    case "incident.acknowledged":
      return `Acknowledged${by}`;
    case "incident.unacknowledged":
      return "Unacknowledged: the acknowledgement timed out";
    case "incident.resolved":
      return `Resolved${by}${after.resolution && after.resolution !== before?.resolution ? `: ${after.resolution.note}` : ""}`;
    case "incident.reopened":
      return `Reopened${by}`;
    case "incident.reassigned":
      return `Reassigned to ${people}${by}`;
    case "incident.delegated":
      return `Delegated to ${people}${by}`;
    case "incident.escalated":
      return `Escalated to ${people}`;
    case "incident.priority_updated":
      return `Priority changed from ${before?.priority ?? "none"} to ${after.priority ?? "none"}${by}`;
    case "incident.service_updated":
      return `Service changed to ${after.service?.name ?? "none"}${by}`;
    case "incident.incident_type.changed":
      return `Incident type changed${by}`;
    default:
      return `${event.type}${by}`;
  }
}

function categoryOf(event: IncidentEvent): TimelineEntry["category"] {
  if (event.kind === "note_added") return event.category;
  if (event.kind === "ticket_recorded") return "action";
  if (event.kind === "resolution_recorded") return "result";
  return "event";
}

function laterOf(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}
