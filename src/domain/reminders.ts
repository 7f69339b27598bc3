import type { Incident } from "./incident.js";

/** A reminder that is due now: what to post in the incident channel, and how the incident changes. */
export interface DueReminder {
  key: string;
  incident: Incident;
  template: "checkin-reminder" | "roles-needed" | "update-due" | "postmortem-reminder";
  data: Record<string, unknown>;
}

const DAY_MS = 86_400_000;
const NUDGE_AFTER_MS = 60 * 60_000;

/**
 * The time-based rules of the process, pure: regular check-ins at the lead's cadence; a nudge to the
 * declarer (or the lead) when the Incident Lead or Scribe is still missing after a while; users'
 * updates due at the priority's cadence; the post-mortem meeting (the lead the day before, and a
 * resolved incident that needs one and has none).
 * Each reminder's key is fixed by its slot, so a second tick in the same slot posts nothing more.
 */
export function dueReminders(
  incidents: Incident[],
  now: Date,
  options: { roleReminderMinutes: number; updateReminderMinutes?: Record<string, number>; postmortemRequiredFor?: string[] },
): DueReminder[] {
  const due: DueReminder[] = [];
  for (const incident of incidents) {
    if (!incident.channel) continue;
    let next = incident;
    // The post-mortem: the lead is reminded the day before the meeting; a resolved incident that
    // needs one and has none gets a nudge an hour after the resolve.
    const meeting = incident.postmortemMeeting;
    if (meeting && !meeting.leadReminded && now.getTime() >= Date.parse(meeting.at) - DAY_MS && now.getTime() < Date.parse(meeting.at)) {
      next = { ...next, postmortemMeeting: { ...meeting, leadReminded: true } };
      due.push({ key: `${incident.id}:postmortem-reminder:${meeting.at}`, incident: next, template: "postmortem-reminder", data: { meeting } });
    }
    const needsOne = incident.priority !== null && (options.postmortemRequiredFor ?? []).includes(incident.priority);
    if (
      incident.status === "resolved" && needsOne && !meeting && !incident.postmortemNudged &&
      incident.resolvedAt && now.getTime() >= Date.parse(incident.resolvedAt) + NUDGE_AFTER_MS
    ) {
      next = { ...next, postmortemNudged: true };
      due.push({ key: `${incident.id}:postmortem-nudge`, incident: next, template: "postmortem-reminder", data: { meeting: null } });
    }
    if (incident.status === "resolved") continue;
    const checkin = incident.checkin;
    if (checkin && Date.parse(checkin.nextAt) <= now.getTime()) {
      const every = checkin.everyMinutes * 60_000;
      const missed = Math.floor((now.getTime() - Date.parse(checkin.nextAt)) / every);
      const nextAt = new Date(Date.parse(checkin.nextAt) + (missed + 1) * every).toISOString();
      next = { ...next, checkin: { ...checkin, nextAt } };
      due.push({ key: `${incident.id}:checkin:${checkin.nextAt}`, incident: next, template: "checkin-reminder", data: { checkin } });
    }
    // Users' updates at the priority's cadence (P1 every 30 minutes, say), counted from the trigger.
    const cadence = incident.priority ? options.updateReminderMinutes?.[incident.priority] : undefined;
    if (cadence) {
      const slot = Math.floor((now.getTime() - Date.parse(incident.triggeredAt)) / (cadence * 60_000));
      if (slot >= 1 && slot > (incident.updateReminderSlot ?? 0)) {
        next = { ...next, updateReminderSlot: slot };
        const last = (incident.announcements ?? []).map((a) => a.postedAt).sort().at(-1) ?? null;
        due.push({ key: `${incident.id}:update-due:${slot}`, incident: next, template: "update-due", data: { cadence, lastAnnouncedAt: last } });
      }
    }
    const missing = (["lead", "scribe"] as const).filter((role) => !incident.roles[role]);
    const waited = now.getTime() - Date.parse(incident.triggeredAt);
    if (missing.length && !incident.rolesReminded && waited >= options.roleReminderMinutes * 60_000) {
      next = { ...next, rolesReminded: true };
      due.push({
        key: `${incident.id}:roles-needed`,
        incident: next,
        template: "roles-needed",
        data: {
          missing: missing.map((role) => (role === "lead" ? "Incident Lead" : "Scribe")).join(" and no "),
          minutes: Math.floor(waited / 60_000),
          appointer: incident.roles.lead ?? incident.declaredBy ?? null,
        },
      });
    }
  }
  return due;
}
