import type { Config, RuleCondition } from "../config/schema.js";
import type { Incident } from "./incident.js";
import type { IncidentEvent } from "./incident-event.js";
import { RULE_ACTIONS, type RuleAction } from "./rule-actions.js";

/** What a rule asks for; effects carry it out later, each at most once (the key says which). */
export type Action = RuleAction | { kind: "post"; key: string; to: string; template: string; buttons?: "volunteer" };

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
      if (typeof step === "string") {
        const details = RULE_ACTIONS[step](event, incident);
        if (details) actions.push({ ...details, kind: step, key } as RuleAction);
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
