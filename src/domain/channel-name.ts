import type { Incident } from "./incident.js";

/** Slack's limit for a channel name; the suffix for a taken name must fit inside it too. */
export const CHANNEL_NAME_MAX = 80;

/**
 * The dedicated channel's name for an incident: the configured pattern filled in, then made to follow
 * Slack's rules (lowercase letters, digits, - and _, at most 80 characters).
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
  const filled = pattern.replace(/\{(\w+)\}/g, (match, name: string) => tokens[name] ?? match);
  return toChannelName(filled);
}

/** Makes any text a valid channel name. */
export function toChannelName(text: string): string {
  const name = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, CHANNEL_NAME_MAX)
    .replace(/[-_]+$/, "");
  return name || "incident";
}

/** The name to try after `base` is taken: base-2, base-3, … cut so the whole stays within the limit. */
export function withSuffix(base: string, attempt: number): string {
  if (attempt < 2) return base;
  const suffix = `-${attempt}`;
  return `${base.slice(0, CHANNEL_NAME_MAX - suffix.length).replace(/[-_]+$/, "")}${suffix}`;
}
