/** An iCalendar (RFC 5545) invite for one meeting, as a calendar file's text. */
export function icsInvite(meeting: { uid: string; start: string; minutes: number; summary: string; description: string; now: string }): string {
  const stamp = (iso: string) => iso.replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const end = new Date(Date.parse(meeting.start) + meeting.minutes * 60_000).toISOString();
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Herald//Incident post-mortem//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${meeting.uid}`,
    `DTSTAMP:${stamp(meeting.now)}`,
    `DTSTART:${stamp(meeting.start)}`,
    `DTEND:${stamp(end)}`,
    `SUMMARY:${text(meeting.summary)}`,
    `DESCRIPTION:${text(meeting.description)}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}

/** TEXT values escape backslash, semicolon, comma and newlines. */
function text(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Lines longer than 75 octets continue on the next line after a space (never inside a character). */
function fold(line: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = "";
  let size = 0;
  for (const ch of line) {
    const width = encoder.encode(ch).length;
    if (size + width > (parts.length ? 74 : 75)) {
      parts.push(current);
      current = "";
      size = 0;
    }
    current += ch;
    size += width;
  }
  parts.push(current);
  return parts.join("\r\n ");
}
