import type { Config } from "../config/schema.js";
import type { Incident } from "../domain/incident.js";
import type { IncidentEvent } from "../domain/incident-event.js";

/** The data every incident template sees: the incident in display form, the team's channels. */
export function incidentView(incident: Incident, config: Config): Record<string, unknown> {
  const priority = config.priorities.find((p) => p.name === incident.priority);
  return {
    incident: {
      id: incident.id,
      pagerdutyId: incident.pagerdutyId,
      number: incident.number,
      pagerdutyNumber: incident.pagerdutyNumber ?? null,
      title: incident.title,
      description: incident.description ?? null,
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
      resolution: incident.resolution ?? null,
      roles: incident.roles,
    },
    channels: config.channels,
    nextUpdateMinutes: (incident.priority && config.update_reminder_minutes[incident.priority]) || null,
    // A security incident must also be reported where the team's security process says.
    securityReport: configuredServiceOf(incident, config)?.key === "security" ? config.security_report : null,
    securityReportTo: config.security_report_to,
  };
}

/**
 * The configured service an incident is about, whichever source named it: chat names the key, a
 * PagerDuty alarm its service's id (pagerduty_service_id) and name.
 */
export function configuredServiceOf(incident: Incident, config: Config): Config["services"][number] | null {
  const service = incident.service;
  if (!service) return null;
  const name = service.name.trim().toLowerCase();
  return config.services.find((s) => s.key === service.id || (s.pagerduty_service_id && s.pagerduty_service_id === service.id) || s.name.trim().toLowerCase() === name) ?? null;
}

/** What a template needs to know about the event that triggered it. */
export function eventView(event: IncidentEvent, before: Incident | null, after: Incident, config: Config): Record<string, unknown> {
  const base = { type: event.type, at: event.occurredAt, author: event.author };
  switch (event.kind) {
    case "role_assigned": {
      const previous = before?.roles[event.role];
      const lead = after.roles.lead;
      const scribe = after.roles.scribe;
      return {
        ...base,
        role: event.roleName,
        person: event.person,
        previous: previous && previous.id !== event.person.id ? previous : null,
        sameLeadAndScribe: Boolean(lead && scribe && lead.id === scribe.id),
      };
    }
    case "note_added":
      return { ...base, category: event.category, categoryLabel: event.category !== "event", text: event.text };
    case "ticket_recorded": {
      const escalation = config.escalation[event.thirdParty];
      return { ...base, thirdParty: event.thirdParty, caseId: event.caseId, url: event.url, how: escalation?.how, route: escalation?.route, channel: escalation?.channel };
    }
    default:
      return base;
  }
}
