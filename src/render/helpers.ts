import { TZDate } from "@date-fns/tz";
import { format, formatDuration, intervalToDuration } from "date-fns";

const zoneNames = new Map<string, Intl.DateTimeFormat>();

function zoneNameFormat(timeZone: string): Intl.DateTimeFormat {
  let format = zoneNames.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "short" });
    zoneNames.set(timeZone, format);
  }
  return format;
}

/** Formats an ISO time in the configured time zone, e.g. `27 Nov 2026 14:03 GMT`. */
export function formatTime(iso: unknown, timeZone: string): string {
  if (typeof iso !== "string" || Number.isNaN(Date.parse(iso))) return "unknown time";
  const zoned = new TZDate(Date.parse(iso), timeZone);
  const zoneName =
    zoneNameFormat(timeZone)
      .formatToParts(zoned)
      .find((part) => part.type === "timeZoneName")?.value ?? timeZone;
  return `${format(zoned, "d MMM yyyy HH:mm")} ${zoneName}`;
}

/** The time between two ISO times in words, e.g. `1 hour 5 minutes`; under a minute reads `less than a minute`. */
export function formatElapsed(from: unknown, to: unknown): string {
  if (typeof from !== "string" || typeof to !== "string") return "an unknown time";
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end)) return "an unknown time";
  if (end - start < 60_000) return "less than a minute";
  const duration = intervalToDuration({ start, end });
  return formatDuration(duration, { format: ["years", "months", "days", "hours", "minutes"] });
}

/** A person: a Slack user id becomes a mention, anyone else is named. */
export function formatMention(person: unknown): string {
  if (!person || typeof person !== "object") return "someone";
  const { id, name } = person as { id?: unknown; name?: unknown };
  if (typeof id === "string" && /^[UW][A-Z0-9]{6,}$/.test(id)) return `<@${id}>`;
  return typeof name === "string" && name ? name : "someone";
}

/** A chat channel reference: a Slack id becomes a link, a name gets its `#`. */
export function formatChannel(channel: unknown): string {
  if (typeof channel !== "string" || channel === "") return "the team channel";
  return /^[CG][A-Z0-9]{6,}$/.test(channel) ? `<#${channel}>` : `#${channel.replace(/^#/, "")}`;
}
