import type { Incident, Person } from "./incident.js";
import type { IncidentEvent } from "./incident-event.js";

/** A rule action's details when it applies to an event (empty when it needs none), or null when it does not. */
type Applies<T extends object = Record<never, never>> = (event: IncidentEvent, incident: Incident) => T | null;
const when = (applies: boolean) => (applies ? {} : null);

/**
 * An incident in PagerDuty, or one declared in chat (it has a platform; alarms have none), which is
 * being opened there: a note or a resolve said before PagerDuty answered (it may be slow, or down
 * for a while) must still reach it. Its opening goes first in the same lane; the note or resolve
 * then finds the incident there, or skips if it never got there.
 */
const inOrIntoPagerDuty = (incident: Incident) => incident.pagerdutyId !== null || incident.platform !== undefined;

/**
 * The actions a rule may name in herald.yaml's `do` (besides `post`), each with when it applies to
 * an event and what it then needs. The one list: the configuration's schema, the rule evaluation and
 * the effects that carry them out are keyed on it, so a new action is added here first and the
 * compiler asks for the rest.
 */
export const RULE_ACTIONS = {
  create_channel: (_event, incident) => when(!incident.channel),
  invite_declarer: ((event) => (event.kind === "incident_declared" && event.author ? { person: event.author } : null)) as Applies<{ person: Person }>,
  // Whoever takes a role is brought into the room (a volunteer from the team channel is not in it yet).
  invite_role_holder: ((event) => (event.kind === "role_assigned" ? { person: event.person } : null)) as Applies<{ person: Person }>,
  // PagerDuty's assignees of an alarm are brought into its room, matched to chat users by email.
  invite_assignees: ((event, incident) =>
    event.kind === "incident_changed" && incident.assignees.length ? { pagerdutyUserIds: incident.assignees.map((a) => a.id) } : null) as Applies<{ pagerdutyUserIds: string[] }>,
  // A responder who accepts PagerDuty's request to help is brought into the room the same way.
  invite_responder: ((event) =>
    event.kind === "activity" && event.responder
      ? { pagerdutyUserIds: [event.responder.pagerdutyUserId], names: { [event.responder.pagerdutyUserId]: event.responder.name } }
      : null) as Applies<{ pagerdutyUserIds: string[]; names: Record<string, string> }>,
  set_topic: () => ({}),
  // An alarm's incident is in PagerDuty already; one declared in chat is opened there.
  open_in_pagerduty: (event, incident) => when(event.kind === "incident_declared" && !incident.pagerdutyId),
  add_pagerduty_note: (event, incident) => when(event.kind === "note_added" && inOrIntoPagerDuty(incident)),
  // Only a resolve from chat goes to PagerDuty; PagerDuty's own resolve is already there.
  resolve_in_pagerduty: (event, incident) => when(event.kind === "resolution_recorded" && inOrIntoPagerDuty(incident)),
  // A temporary fix leaves the permanent one to do (incident process, step 5).
  raise_follow_up: (event) => when(event.kind === "resolution_recorded" && event.temporary),
  // Process: an incident puts a pending update on the status page; its resolution another.
  status_draft: ((_event, incident) => ({ draft: incident.status === "resolved" ? "resolution" : "incident" })) as Applies<{ draft: "incident" | "resolution" }>,
  postmortem_invite: (_event, incident) => when(Boolean(incident.postmortemMeeting)),
} satisfies Record<string, Applies<object>>;

export type RuleActionName = keyof typeof RULE_ACTIONS;

/** A rule action that applies, with its details (`status_draft` says which draft, say). */
export type RuleAction = { [K in RuleActionName]: { kind: K; key: string } & NonNullable<ReturnType<(typeof RULE_ACTIONS)[K]>> }[RuleActionName];

export const RULE_ACTION_NAMES = Object.keys(RULE_ACTIONS) as [RuleActionName, ...RuleActionName[]];
