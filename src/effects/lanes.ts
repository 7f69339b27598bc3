import type { Effect } from "../ports/store.js";

/** What users are told in the standing channels: it needs no room, so it does not wait for one. */
const ANNOUNCING = new Set(["user-announcement", "resolution-announcement"]);

/**
 * Where an effect must wait for the ones before it: its incident's chat (the room exists before
 * anything is posted in it, posts land in order), its incident's announcements to users (posted
 * before they are updated, the resolution after them: none waits for the room to be made),
 * its incident's PagerDuty (opened before a note), each GitHub document and issue on its own, and
 * each reply link (whoever asked) on its own. Lanes do not wait for each other.
 */
export function laneOf(effect: Pick<Effect, "incidentId" | "key" | "payload">): string {
  const payload = effect.payload;
  switch (payload.kind) {
    case "pagerduty_create":
    case "pagerduty_note":
    case "pagerduty_resolve":
      return `${effect.incidentId}/pagerduty`;
    case "github_issue":
      return `${effect.incidentId}/github/${effect.key}`;
    case "publish_document":
      return `${effect.incidentId}/github/${payload.document}`;
    case "post_message":
      // Each reply link on its own: one that fails (they expire) holds up no one else's answers.
      if (payload.to !== "incident" && "replyUrl" in payload.to) return `${effect.incidentId}/reply/${payload.to.replyUrl}`;
      if (payload.to !== "incident" && ANNOUNCING.has(payload.template)) return `${effect.incidentId}/announcements`;
      return `${effect.incidentId}/chat`;
    case "update_announcements":
      return `${effect.incidentId}/announcements`;
    default:
      return `${effect.incidentId}/chat`;
  }
}
