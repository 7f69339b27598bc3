import type { Config, RuleCondition } from "../config/schema.js";
import type { Incident } from "./incident.js";
import type { IncidentEvent } from "./incident-event.js";

/** What a rule asks for; effects carry it out later, each at most once. */
export type Action =
  | { kind: "create_channel"; key: string }
  | { kind: "add_pagerduty_note"; key: string }
  | { kind: "resolve_in_pagerduty"; key: string }
  | { kind: "raise_follow_up"; key: string }
  | { kind: "open_in_pagerduty"; key: string }
  | { kind: "invite_declarer"; key: string; userId: string }
  | { kind: "set_topic"; key: string }
  | { kind: "status_draft"; key: string; draft: "incident" | "resolution" }
  | { kind: "postmortem_invite"; key: string }
  | { kind: "post"; key: string; to: string; template: string; buttons?: "volunteer" };

/**
 * Evaluates the configured rules for one event on the incident as it stands after the event.
 * Pure: the same input always gives the same actions with the same idempotency keys.
 */
export function evaluateRules(event: IncidentEvent, incident: Incident, config: Config): Action[] {
  const actions: Action[] = [];
  config.rules.forEach((rule, r) => {
    if (rule.on !== event.type || !matches(rule.if, incident)) return;
    rule.do.forEach((step, a) => {
      const key = `${event.id}:rule${r}:do${a}`;
      if (step === "create_channel") {
        if (!incident.channel) actions.push({ kind: "create_channel", key });
      } else if (step === "add_pagerduty_note") {
        if (event.kind === "note_added" && incident.pagerdutyId) actions.push({ kind: "add_pagerduty_note", key });
      } else if (step === "postmortem_invite") {
        if (incident.postmortemMeeting) actions.push({ kind: "postmortem_invite", key });
      } else if (step === "status_draft") {
        // Process: an incident puts a pending update on the status page; its resolution another.
        actions.push({ kind: "status_draft", key, draft: incident.status === "resolved" ? "resolution" : "incident" });
      } else if (step === "set_topic") {
        actions.push({ kind: "set_topic", key });
      } else if (step === "invite_declarer") {
        if (event.kind === "incident_declared" && event.author) actions.push({ kind: "invite_declarer", key, userId: event.author.id });
      } else if (step === "open_in_pagerduty") {
        // An alarm's incident is in PagerDuty already; one declared in chat is opened there.
        if (event.kind === "incident_declared" && !incident.pagerdutyId) actions.push({ kind: "open_in_pagerduty", key });
      } else if (step === "raise_follow_up") {
        // A temporary fix leaves the permanent one to do (incident process, step 5).
        if (event.kind === "resolution_recorded" && event.temporary) actions.push({ kind: "raise_follow_up", key });
      } else if (step === "resolve_in_pagerduty") {
        // Only a resolve from chat goes to PagerDuty; PagerDuty's own resolve is already there.
        if (event.kind === "resolution_recorded" && incident.pagerdutyId) actions.push({ kind: "resolve_in_pagerduty", key });
      } else {
        const { to, template, buttons } = step.post;
        actions.push(buttons ? { kind: "post", key, to, template, buttons } : { kind: "post", key, to, template });
      }
    });
  });
  // "Notify users now" on the declare form: the users' announcement where the declarer chose, unless
  // a rule posts it there already.
  if (event.kind === "incident_declared") {
    for (const to of event.notify) {
      if (!actions.some((a) => a.kind === "post" && a.to === to && a.template === USER_ANNOUNCEMENT)) {
        actions.push({ kind: "post", key: `${event.id}:notify:${to}`, to, template: USER_ANNOUNCEMENT });
      }
    }
  }
  return actions;
}

const USER_ANNOUNCEMENT = "user-announcement";

function matches(condition: RuleCondition | undefined, incident: Incident): boolean {
  if (!condition) return true;
  const checks: [string[] | undefined, string | null][] = [
    [condition.priority, incident.priority ?? "none"],
    [condition.service, incident.service?.name ?? null],
    [condition.urgency, incident.urgency],
    [condition.status, incident.status],
  ];
  return checks.every(([allowed, value]) => !allowed || (value !== null && allowed.includes(value)));
}
