import type { Announcement, ChatChannel, FollowUp, Incident, Person, StatusPageRecord, TimelineCategory } from "./incident.js";

/** What a vendor said about an incident's state, as far as Herald cares. */
export type IncidentSnapshot = Pick<
  Incident,
  "number" | "title" | "url" | "service" | "priority" | "status" | "urgency" | "assignees"
> & {
  pagerdutyId: string;
  createdAt: string | null;
  /** PagerDuty's de-duplication key: Herald's id for an incident Herald opened there. */
  incidentKey?: string | null;
  /** Why PagerDuty resolved it, in words, when it says. */
  resolveReason?: string | null;
};

interface EventBase {
  /** Unique per delivery from the source; timeline entries and effects are keyed on it. */
  id: string;
  occurredAt: string;
  author: Person | null;
  /** Where it was said: PagerDuty, or the chat platform (slack, console, teams). */
  source: string;
  /** PagerDuty's id of the incident; events from chat name Herald's own id instead. */
  pagerdutyIncidentId: string | null;
  incidentId?: string;
  /** The incident's title as the event names it, for an incident Herald has not seen yet. */
  incidentTitle: string | null;
}

/** A change to the incident itself: status, priority, assignment, service. */
export interface IncidentChanged extends EventBase {
  kind: "incident_changed";
  type: string;
  snapshot: IncidentSnapshot;
}

/** A note added on the incident (the scribe's log, written from PagerDuty). */
export interface NoteAdded extends EventBase {
  kind: "note_added";
  type: "incident.annotated" | "note.added";
  noteId: string;
  category: TimelineCategory;
  text: string;
}

/** Someone took a role, or was given it. */
export interface RoleAssigned extends EventBase {
  kind: "role_assigned";
  type: "role.assigned";
  role: string;
  /** The role as the process names it, e.g. Incident Lead. */
  roleName: string;
  person: Person;
}

/** Someone declared an incident in chat (not from a PagerDuty alarm). */
export interface IncidentDeclared extends EventBase {
  kind: "incident_declared";
  /** The same type as an alarm's, so the same rules open its channel and announce it. */
  type: "incident.triggered";
  incidentId: string;
  title: string;
  priority: string;
  service: { id: string; name: string };
  /** What the declarer wrote about it, if anything. */
  description: string | null;
  /** Channels the declarer asked to tell users in at once. */
  notify: ("ask" | "update")[];
  /** The channel it was declared in: its room where the platform cannot make rooms. */
  declaredIn?: string;
}

/** The lead set (or stopped) regular team check-ins. */
export interface CheckinSet extends EventBase {
  kind: "checkin_set";
  type: "checkin.set";
  everyMinutes: number | null;
}

/** The incident was resolved from chat, with a note on how. */
export interface ResolutionRecorded extends EventBase {
  kind: "resolution_recorded";
  type: "incident.resolved";
  note: string;
  /** A temporary fix: the permanent one becomes a follow-up. */
  temporary: boolean;
}

/** A support case logged with a third party (AWS, say). */
export interface TicketRecorded extends EventBase {
  kind: "ticket_recorded";
  type: "ticket.recorded";
  thirdParty: string;
  caseId: string;
  url: string | null;
}

/** The blameless post-mortem meeting was scheduled. */
export interface PostmortemScheduled extends EventBase {
  kind: "postmortem_scheduled";
  type: "postmortem.scheduled";
  at: string;
  /** The time as the team reads it (in the configured zone), for the log. */
  display: string;
}

/** Anything else worth a line on the timeline: responders, status updates, bridges, workflows. */
export interface IncidentActivity extends EventBase {
  kind: "activity";
  type: string;
  text: string;
  /** A responder who accepted PagerDuty's request to help (incident.responder.replied). */
  responder?: { pagerdutyUserId: string; name: string };
}

/** What Herald did for an incident, reported by the effect that did it. */
export type HeraldChange =
  | { what: "room_created"; channel: ChatChannel; platform: string }
  | { what: "pagerduty_linked"; pagerdutyId: string; url: string | null; number: number | null }
  /** Something Herald could not do for the incident, and what a person should do instead. */
  | { what: "not_done"; action: string; reason: string }
  | { what: "follow_up_raised"; followUp: FollowUp }
  | { what: "announcement_posted"; announcement: Announcement }
  /** An announcement that can no longer be edited (deleted by someone, say): no longer kept up to date. */
  | { what: "announcement_gone"; announcement: Announcement; reason: string }
  | { what: "status_drafted"; draft: NonNullable<StatusPageRecord["draft"]> }
  | { what: "status_published"; postId: string | null; published: StatusPageRecord["published"][number] }
  | { what: "document_proposed"; document: "postmortem" | "runbook"; path: string; url: string | null };

/**
 * Herald's own action on the incident's behalf (a room made, PagerDuty linked, the status page
 * published…): effects report what they did as these, and the projection puts it on the record and
 * the timeline, so the record has one writer and can be rebuilt from its events.
 */
export interface HeraldAction extends EventBase {
  kind: "herald_action";
  type: `herald.${HeraldChange["what"]}`;
  incidentId: string;
  change: HeraldChange;
}

export type IncidentEvent =
  | IncidentChanged
  | HeraldAction
  | IncidentDeclared
  | NoteAdded
  | RoleAssigned
  | CheckinSet
  | ResolutionRecorded
  | TicketRecorded
  | PostmortemScheduled
  | IncidentActivity;
