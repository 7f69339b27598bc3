/** Slack's limit for a channel name; the suffix for a taken name must fit inside it too. */
export const CHANNEL_NAME_MAX = 80;

/** A room name fitted to Slack's rules (lowercase letters, digits, - and _, at most 80 characters), suffixed after a taken one. */
export function slackRoomName(wanted: string, attempt: number): string {
  return withSuffix(toChannelName(wanted), attempt);
}

/** Makes any text a valid Slack channel name. */
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
