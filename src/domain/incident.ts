/** The incident record Herald keeps, in the incident process's own words. */

export type IncidentStatus = "triggered" | "acknowledged" | "resolved";

export type TimelineCategory = "event" | "discussion" | "decision" | "action" | "result";

export const TIMELINE_CATEGORIES: readonly TimelineCategory[] = [
  "event",
  "discussion",
  "decision",
  "action",
  "result",
];

export interface Person {
  id: string;
  name: string;
}

export interface ChatChannel {
  id: string;
  name: string;
}

export interface Incident {
  id: string;
  pagerdutyId: string | null;
  /**
   * The incident's number, in its room's name, its documents and the record: PagerDuty's for an
   * alarm, Herald's own sequence for one declared in chat (kept once it is opened in PagerDuty too).
   */
  number: number | null;
  /** PagerDuty's number for it, once it is there. */
  pagerdutyNumber?: number | null;
  title: string;
  url: string | null;
  service: { id: string; name: string } | null;
  /** Priority name as the team uses it (P1, P2, P3), or null when none is set. */
  priority: string | null;
  status: IncidentStatus;
  urgency: string | null;
  assignees: Person[];
  triggeredAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  updatedAt: string;
  channel: ChatChannel | null;
  /** The chat platform it lives on: where it was declared; unset for alarms (the default platform). */
  platform?: string;
  /** Who holds each role now, by role key (lead, scribe, and the further roles from config). */
  roles: Record<string, Person>;
  /** The last note added in PagerDuty, which may be the resolving note of a resolve made there. */
  lastPagerDutyNote?: { text: string; at: string } | null;
  /** How it was resolved: the note from chat, or PagerDuty's reason or resolving note. */
  resolution?: { note: string; temporary: boolean; by: Person | null } | null;
  /** What the declarer wrote about it when declaring in chat. */
  description?: string | null;
  /** The channel it was declared in (its room where the platform cannot make rooms). */
  declaredIn?: string | null;
  /** Who declared it in chat; null for an incident that came from a PagerDuty alarm. */
  declaredBy?: Person | null;
  /** Regular team check-ins set by the lead: the cadence and the next one. */
  checkin?: { everyMinutes: number; nextAt: string } | null;
  /** Whether the missing-roles reminder went out. */
  rolesReminded?: boolean;
  /** The external status page: the pending draft, the post it goes to, what was published. */
  statusPage?: StatusPageRecord;
  /** The third parties' support cases recorded for it (`ticket aws <case-id>`). */
  supportCases?: { thirdParty: string; caseId: string }[];
  /** The blameless post-mortem meeting, once scheduled; whether the lead was reminded the day before. */
  postmortemMeeting?: { at: string; by: Person | null; leadReminded: boolean } | null;
  /** Whether the "schedule the post-mortem" reminder went out after the resolve. */
  postmortemNudged?: boolean;
  /** The post-mortem and runbook drafts proposed for it: each one's file and pull request (null without GitHub). */
  documents?: { postmortem?: ProposedDocument; runbook?: ProposedDocument };
  /** The users' announcements posted about it, kept up to date in place. */
  announcements?: Announcement[];
  /** The last update-due reminder's slot (cadence periods since the trigger). */
  updateReminderSlot?: number;
  /** Issues raised for what is left to do (the permanent fix, say). */
  followUps?: FollowUp[];
}

export interface StatusPageRecord {
  /** Waiting for someone to publish it (the process's "pending" update). */
  /** `review`: the key of the post that shows it for review, with its Publish button. */
  draft: { kind: "incident" | "resolution"; message: string; preparedAt: string; review?: string } | null;
  postId: string | null;
  /** `preparedAt`: the draft's own, so a Publish button under it is known (unset before it was kept). */
  published: { at: string; by: Person; kind: "incident" | "resolution"; message: string; preparedAt?: string }[];
}

export interface Announcement {
  /** The channel's key in the configuration (ask, update) or its id. */
  to: string;
  channel: string;
  messageId: string;
  postedAt: string;
}

export interface FollowUp {
  title: string;
  /** Null when no issue tracker is configured: the follow-up is kept here only. */
  url: string | null;
  number: number | null;
}

/** One entry of the scribe's log: every event, note and change, with time, author, source and category. */
export interface TimelineEntry {
  id: string;
  incidentId: string;
  at: string;
  author: Person | null;
  /** pagerduty, herald, or the chat platform it was said on (slack, console, teams). */
  source: string;
  category: TimelineCategory;
  kind: string;
  text: string;
}

/** A document drafted from the record and proposed for review. */
export interface ProposedDocument {
  path: string;
  url: string | null;
}
