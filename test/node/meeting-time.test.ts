import { describe, expect, it } from "vitest";
import { icsInvite } from "../../src/documents/ics.js";
import { parseMeetingTime } from "../../src/time/meeting-time.js";

// Friday 27 November 2026, 16:00 in London (GMT).
const now = new Date("2026-11-27T16:00:00Z");
const at = (text: string, zone = "Europe/London") => {
  const parsed = parseMeetingTime(text, now, zone);
  return parsed.ok ? parsed.at : parsed.error.split(".")[0];
};

describe("parseMeetingTime", () => {
  it("reads dates, today, tomorrow and weekdays in the team's zone", () => {
    expect(at("2026-12-01 14:00")).toBe("2026-12-01T14:00:00.000Z");
    expect(at("2027-06-01 14:00")).toBe("2027-06-01T13:00:00.000Z"); // BST
    expect(at("today 17:30")).toBe("2026-11-27T17:30:00.000Z");
    expect(at("tomorrow 9:05")).toBe("2026-11-28T09:05:00.000Z");
    expect(at("monday 10:00")).toBe("2026-11-30T10:00:00.000Z");
    expect(at("Fri 10:00")).toBe("2026-12-04T10:00:00.000Z"); // the next Friday, not today
    expect(at("tomorrow 09:00", "America/New_York")).toBe("2026-11-28T14:00:00.000Z");
  });

  it("refuses what it cannot read, impossible times and the past", () => {
    expect(at("next week")).toBe("'next week' is not a time Herald understands");
    expect(at("today 25:00")).toBe("25:00 is not a time of day");
    expect(at("2026-02-30 10:00")).toBe("2026-02-30 is not a date");
    expect(at("someday 10:00")).toBe("'someday' is not a day Herald understands");
    expect(at("today 15:59")).toBe("That is in the past");
  });
});

describe("icsInvite", () => {
  it("writes an RFC 5545 event: CRLF lines, UTC times, escaped text, long lines folded", () => {
    const ics = icsInvite({
      uid: "inc-1-postmortem@herald",
      start: "2026-12-01T14:00:00.000Z",
      minutes: 60,
      summary: "Post-mortem: NAT, DNS; and more",
      description: `Line one\nline two ${"x".repeat(80)}`,
      now: "2026-11-27T16:00:00.000Z",
    });
    const lines = ics.split("\r\n");
    expect(lines.slice(0, 10)).toEqual([
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Herald//Incident post-mortem//EN",
      "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH",
      "BEGIN:VEVENT",
      "UID:inc-1-postmortem@herald",
      "DTSTAMP:20261127T160000Z",
      "DTSTART:20261201T140000Z",
      "DTEND:20261201T150000Z",
    ]);
    expect(lines[10]).toBe("SUMMARY:Post-mortem: NAT\\, DNS\\; and more");
    expect(lines[11]!.startsWith("DESCRIPTION:Line one\\nline two xxx")).toBe(true);
    expect(lines.every((line) => new TextEncoder().encode(line).length <= 75)).toBe(true);
    expect(lines[12]!.startsWith(" ")).toBe(true);
    expect(ics.endsWith("END:VEVENT\r\nEND:VCALENDAR\r\n")).toBe(true);
    // Unfolded, the description is whole again.
    expect(ics.replace(/\r\n /g, "")).toContain(`DESCRIPTION:Line one\\nline two ${"x".repeat(80)}\r\n`);
  });
});
