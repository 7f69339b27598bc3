import type { Incident } from "./incident.js";

/**
 * The dedicated room's name for an incident as the team's pattern wants it (`inc-{number}-{title}`),
 * filled in; each platform then fits it to its own rules (ChatAdapter.roomName).
 */
export function incidentChannelName(pattern: string, incident: Incident): string {
  const tokens: Record<string, string> = {
    number: incident.number !== null ? String(incident.number) : incident.id.slice(0, 8),
    id: incident.pagerdutyId ?? incident.id,
    date: incident.triggeredAt.slice(0, 10),
    title: incident.title,
    priority: incident.priority ?? "",
    service: incident.service?.name ?? "",
  };
  return pattern.replace(/\{(\w+)\}/g, (match, name: string) => tokens[name] ?? match);
}
