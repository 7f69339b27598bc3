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

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// Every time zone changes its offset on a quarter hour (UTC), so one look-up per quarter hour is exact.
const QUARTER_HOUR_MS = 15 * 60_000;
/** Quarter hours kept per formatter (some six weeks of them); a long-lived one starts over past it. */
const QUARTERS_KEPT = 4_096;

/**
 * formatTime for many times (a long timeline, a renderer's messages): the zone's offset and name are
 * looked up once per quarter hour, the rest is arithmetic. Gives exactly what formatTime gives.
 */
export function createTimeFormatter(timeZone: string): (iso: string) => string {
  const quarters = new Map<number, { offsetMs: number; zoneName: string }>();
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    timeZoneName: "short",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    hourCycle: "h23",
  });
  const zoneAt = (quarter: number) => {
    let zone = quarters.get(quarter);
    if (!zone) {
      const at = quarter * QUARTER_HOUR_MS;
      const values = Object.fromEntries(parts.formatToParts(at).map((p) => [p.type, p.value]));
      const local = Date.UTC(Number(values.year), Number(values.month) - 1, Number(values.day), Number(values.hour), Number(values.minute));
      zone = { offsetMs: local - at, zoneName: values.timeZoneName ?? timeZone };
      if (quarters.size >= QUARTERS_KEPT) quarters.clear();
      quarters.set(quarter, zone);
    }
    return zone;
  };
  return (iso) => {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return "unknown time";
    const zone = zoneAt(Math.floor(ms / QUARTER_HOUR_MS));
    const local = new Date(ms + zone.offsetMs);
    const hh = String(local.getUTCHours()).padStart(2, "0");
    const mm = String(local.getUTCMinutes()).padStart(2, "0");
    return `${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ${hh}:${mm} ${zone.zoneName}`;
  };
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

/**
 * A person in the chat markup, `<@id|name>`: each platform renders it (a mention where the id is one
 * of its people, the name otherwise). The name arrives escaped, so it cannot close the token.
 */
export function formatMention(person: unknown): string {
  if (!person || typeof person !== "object") return "someone";
  const { id, name } = person as { id?: unknown; name?: unknown };
  const named = typeof name === "string" && name ? name : null;
  if (typeof id === "string" && /^[^\s|<>]+$/.test(id)) return `<@${id}|${named ?? id}>`;
  return named ?? "someone";
}

/** A channel in the chat markup, `<#id-or-name>`: each platform renders it (a link where it can). */
export function formatChannel(channel: unknown): string {
  if (typeof channel !== "string" || channel === "") return "the team channel";
  const reference = channel.replace(/^#/, "");
  return /^[^\s|<>]+$/.test(reference) ? `<#${reference}>` : `#${reference}`;
}

/**
 * Where something is to be reported, in the chat markup: a link for an https address, a channel
 * otherwise; when it is not configured, says which setting to fill in.
 */
export function formatDestination(destination: unknown, setting: string): string {
  if (typeof destination !== "string" || destination === "") return `(where: not configured yet; set \`${setting}\` in herald.yaml)`;
  return /^https:\/\/[^\s|<>]+$/.test(destination) ? `<${destination}>` : formatChannel(destination);
}
