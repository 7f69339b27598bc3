import type { Config } from "../config/schema.js";
import { roleNames } from "../config/grammar-context.js";
import type { Incident, TimelineEntry } from "../domain/incident.js";
import { createTimeFormatter, formatElapsed } from "../render/helpers.js";

/** Where generated documents go in the team's repository, and what they are called there. */
export type DocumentKind = "postmortem" | "runbook";

export const DOCUMENT_TEMPLATES: Record<DocumentKind, string> = { postmortem: "postmortem", runbook: "runbook" };

/**
 * The data the post-mortem and runbook templates see: the incident record and its whole timeline,
 * with times already shown in the configured zone and every entry's time since the start, so a
 * long incident renders in one pass.
 */
export function documentView(incident: Incident, timeline: readonly TimelineEntry[], config: Config, now: Date): Record<string, unknown> {
  const zone = config.timezone;
  const start = Date.parse(incident.triggeredAt);
  const format = createTimeFormatter(zone);
  const times = { format };
  const priority = config.priorities.find((p) => p.name === incident.priority);
  const names = roleNames(config);
  // A document does not list its own drafting (it would differ from the copy that was proposed).
  const entries = timeline.filter((entry) => entry.kind !== "herald.document_proposed").map((entry) => ({
    when: times.format(entry.at),
    elapsed: sinceStart(Date.parse(entry.at) - start),
    category: entry.category,
    kind: entry.kind,
    author: entry.author?.name ?? SOURCE_NAMES[entry.source] ?? entry.source,
    source: entry.source,
    // One line each, so the timeline stays a table.
    text: entry.text.replace(/\s*\n\s*/g, " "),
  }));
  const byCategory = (category: string) => entries.filter((e) => e.category === category && e.kind !== "ticket.recorded");
  const tickets = timeline
    .filter((e) => e.kind === "ticket.recorded")
    .map((e) => ({ when: times.format(e.at), text: e.text }));
  const thirdParties = Object.entries(config.escalation).map(([key, route]) => ({ key, how: route.how, route: route.route }));
  return {
    generatedAt: times.format(now.toISOString()),
    incident: {
      id: incident.id,
      title: incident.title,
      description: incident.description ?? null,
      priority: incident.priority ?? "none",
      priorityDescription: priority?.description ?? null,
      service: incident.service?.name ?? "not set",
      status: incident.status,
      url: incident.url,
      number: incident.number,
      pagerdutyNumber: incident.pagerdutyNumber ?? null,
      pagerdutyId: incident.pagerdutyId,
      channel: incident.channel?.name ?? null,
      declaredBy: incident.declaredBy?.name ?? null,
      triggeredAt: times.format(incident.triggeredAt),
      acknowledgedAt: incident.acknowledgedAt ? times.format(incident.acknowledgedAt) : null,
      resolvedAt: incident.resolvedAt ? times.format(incident.resolvedAt) : null,
      resolution: incident.resolution ?? null,
    },
    durations: {
      toAcknowledge: incident.acknowledgedAt ? formatElapsed(incident.triggeredAt, incident.acknowledgedAt) : null,
      toResolve: incident.resolvedAt ? formatElapsed(incident.triggeredAt, incident.resolvedAt) : null,
      open: incident.resolvedAt ? null : formatElapsed(incident.triggeredAt, now.toISOString()),
    },
    roles: Object.entries(incident.roles).map(([key, person]) => ({ name: names[key] ?? key, holder: person.name })),
    transfers: entries.filter((e) => e.kind === "role.assigned"),
    timeline: entries,
    decisions: byCategory("decision"),
    actions: byCategory("action"),
    results: byCategory("result"),
    discussions: byCategory("discussion"),
    symptoms: entries.filter((e) => e.category === "event" && e.kind !== "role.assigned" && e.kind !== "checkin.set").slice(0, 10),
    tickets,
    thirdParties,
    followUps: incident.followUps ?? [],
  };
}

const SOURCE_NAMES: Record<string, string> = { pagerduty: "PagerDuty", slack: "Slack", teams: "Teams", console: "the console", herald: "Herald" };

/** `+2:05` (hours and minutes since the start), `+1d 3:10` past a day; before the start, `-0:03`. */
export function sinceStart(ms: number): string {
  if (Number.isNaN(ms)) return "";
  const sign = ms < 0 ? "-" : "+";
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const clock = `${hours}:${String(minutes % 60).padStart(2, "0")}`;
  return `${sign}${days ? `${days}d ` : ""}${clock}`;
}
