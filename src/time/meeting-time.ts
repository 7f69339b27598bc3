import { TZDate } from "@date-fns/tz";
import { addDays } from "date-fns";

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

export type MeetingTime = { ok: true; at: string } | { ok: false; error: string };

/**
 * When the post-mortem meeting is, from what someone typed, in the team's time zone:
 * `2026-12-01 14:00`, `tomorrow 14:00`, `today 16:30`, or a weekday (`monday 10:00`, the next one).
 * It must be in the future.
 */
export function parseMeetingTime(text: string, now: Date, timeZone: string): MeetingTime {
  const usage = "Say when, in the team's time zone: `2026-12-01 14:00`, `tomorrow 14:00` or `monday 10:00`.";
  const match = /^(\d{4}-\d{2}-\d{2}|today|tomorrow|[a-z]+)\s+(\d{1,2}):(\d{2})$/i.exec(text.trim());
  if (!match) return { ok: false, error: `'${text}' is not a time Herald understands. ${usage}` };
  const [, day = "", hh = "", mm = ""] = match;
  const hours = Number(hh);
  const minutes = Number(mm);
  if (hours > 23 || minutes > 59) return { ok: false, error: `${hh}:${mm} is not a time of day. ${usage}` };
  const local = new TZDate(now.getTime(), timeZone);
  let date: { y: number; m: number; d: number };
  const word = day.toLowerCase();
  if (/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    date = { y, m: m - 1, d };
  } else if (word === "today" || word === "tomorrow") {
    const target = word === "today" ? local : addDays(local, 1);
    date = { y: target.getFullYear(), m: target.getMonth(), d: target.getDate() };
  } else {
    const weekday = WEEKDAYS.findIndex((name) => name === word || name.slice(0, 3) === word);
    if (weekday < 0) return { ok: false, error: `'${day}' is not a day Herald understands. ${usage}` };
    const target = addDays(local, ((weekday - local.getDay() + 6) % 7) + 1);
    date = { y: target.getFullYear(), m: target.getMonth(), d: target.getDate() };
  }
  const at = new TZDate(date.y, date.m, date.d, hours, minutes, timeZone);
  if (Number.isNaN(at.getTime()) || at.getDate() !== date.d) return { ok: false, error: `${day} is not a date. ${usage}` };
  if (at.getTime() <= now.getTime()) return { ok: false, error: `That is in the past. ${usage}` };
  return { ok: true, at: new Date(at.getTime()).toISOString() };
}
