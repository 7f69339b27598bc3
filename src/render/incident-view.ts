import type { Config } from "../config/schema.js";
import type { Incident } from "../domain/incident.js";

/** The data every incident template sees: the incident in display form, the team's channels. */
export function incidentView(incident: Incident, config: Config): Record<string, unknown> {
  const priority = config.priorities.find((p) => p.name === incident.priority);
  return {
    incident: {
      id: incident.id,
      pagerdutyId: incident.pagerdutyId,
      number: incident.number,
      title: incident.title,
      url: incident.url,
      status: incident.status,
      priority: incident.priority,
      priorityDescription: priority?.description ?? null,
      service: incident.service?.name ?? null,
      urgency: incident.urgency,
      assignees: incident.assignees.map((a) => a.name).join(", "),
      triggeredAt: incident.triggeredAt,
      acknowledgedAt: incident.acknowledgedAt,
      resolvedAt: incident.resolvedAt,
      channel: incident.channel?.name ?? null,
    },
    channels: config.channels,
  };
}
