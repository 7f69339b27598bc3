import { cutText } from "../chat/fit-text.js";
import { markupAsText } from "../chat/markup-tokens.js";
import type { Config } from "../config/schema.js";
import type { Renderer } from "../render/renderer.js";
import type { Effect, EffectOutcome, EffectPayload, OutboxStore } from "../ports/store.js";

/** How much of what a dead letter was to say is quoted, where it is told and listed. */
const EXCERPT_CHARS = 200;

/**
 * A permanent failure is a dead letter: kept as failed (the API and the console list it), and said
 * once where people will see it, with what it was to do and what to do by hand: the incident's
 * room, or the team channel when the room is what failed. A notice that itself fails is not noticed
 * again. One tried again (console, API) that fails once more is said once more.
 */
export async function withDeadLetter(
  effect: Effect,
  outcome: EffectOutcome,
  deps: { renderer: Renderer; config: Config; store: Pick<OutboxStore, "getEffect"> },
): Promise<EffectOutcome> {
  if (outcome.status !== "failed" || GAVE_UP.test(effect.key)) return outcome;
  const payload = effect.payload;
  const roomFailed = payload.kind === "create_channel" || (payload.kind === "post_message" && payload.to === "incident");
  const text = deps.renderer.render("not-done", {
    action: DEAD_LETTER_ACTIONS[payload.kind],
    what: deadLetterExcerpt(payload),
    reason: `${outcome.error ?? "It failed"}. Herald has stopped trying (after ${effect.attempts + 1} ${effect.attempts === 0 ? "attempt" : "attempts"}). ${DEAD_LETTER_ADVICE[payload.kind]} It is listed under GET /api/effects/failed and on the console's front page, where it can be tried again once the cause is fixed.`,
  });
  const to = roomFailed ? { channel: deps.config.channels.team } : ("incident" as const);
  return {
    ...outcome,
    then: [...(outcome.then ?? []), { key: await unsaidNotice(effect.key, deps.store), incidentId: effect.incidentId, payload: { kind: "post_message", to, template: "not-done", text } }],
  };
}

/**
 * What an action was to say or make, as plain text of at most EXCERPT_CHARS characters: the
 * message, the room's name, the note, the issue's title, the people to invite… so that a person can
 * do it by hand. Null for an action whose content is the incident as it stands (an announcement's
 * update, a document), and for a reply only its asker was to see.
 */
export function deadLetterExcerpt(payload: EffectPayload): string | null {
  switch (payload.kind) {
    case "create_channel":
      return `#${payload.name}`;
    case "post_message":
      // A reply meant for the one who asked is not quoted where others read the notice.
      if (typeof payload.to === "object" && "visibility" in payload.to && payload.to.visibility === "requester") return null;
      return excerpt(markupAsText(payload.text));
    case "set_topic":
      return excerpt(payload.topic);
    case "pagerduty_note":
      return excerpt(payload.content);
    case "pagerduty_resolve":
      return excerpt(payload.resolution);
    case "github_issue":
    case "pagerduty_create":
      return excerpt(payload.title);
    case "status_draft":
      return payload.message ? excerpt(payload.message) : null;
    case "invite":
      return excerpt(payload.userIds.map((id) => payload.names?.[id] ?? id).join(", "));
    case "invite_assignees":
      // Who PagerDuty has on the incident: a responder by name, an assignee by PagerDuty's id.
      return excerpt(payload.pagerdutyUserIds.map((id) => payload.names?.[id] ?? `PagerDuty user ${id}`).join(", "));
    default:
      return null;
  }
}

function excerpt(text: string): string | null {
  const oneLine = text.replace(/\s+/g, " ").trim();
  if (!oneLine) return null;
  if (oneLine.length <= EXCERPT_CHARS) return oneLine;
  return `${cutText(oneLine, EXCERPT_CHARS - 1).trimEnd()}…`;
}

/** The keys of the notices that an effect failed for good: `<key>:gave-up`, then `…:gave-up:2` and on for each time it was tried again. */
const GAVE_UP = /:gave-up(:\d+)?$/;

/**
 * The key of this failure's notice: the first one not yet used (a failure's notice is queued with
 * its outcome, so one retried and failing again finds the notices of the failures before it).
 */
async function unsaidNotice(key: string, store: Pick<OutboxStore, "getEffect">): Promise<string> {
  for (let n = 1; ; n++) {
    const notice = `${key}:gave-up${n === 1 ? "" : `:${n}`}`;
    if (!(await store.getEffect(notice))) return notice;
  }
}

const DEAD_LETTER_ACTIONS: Record<EffectPayload["kind"], string> = {
  create_channel: "make this incident's room",
  post_message: "post one of this incident's messages",
  update_announcements: "update the announcement of this incident",
  status_draft: "prepare the status page update",
  postmortem_invite: "post the post-mortem meeting invitation",
  status_publish: "publish the status page update",
  retire_review: "mark a status page draft's review post as replaced or published",
  pagerduty_note: "add a note to the incident in PagerDuty",
  pagerduty_resolve: "resolve the incident in PagerDuty",
  github_issue: "raise a GitHub issue for this incident",
  invite: "invite people to this incident's room",
  publish_document: "propose this incident's document in GitHub",
  set_topic: "set the room's topic",
  invite_assignees: "invite PagerDuty's assignees to the room",
  pagerduty_create: "open this incident in PagerDuty",
};

const DEAD_LETTER_ADVICE: Record<EffectPayload["kind"], string> = {
  create_channel: "Make a room for the incident by hand and post its number there.",
  post_message: "Read the incident's timeline in the console or the API and post what is missing by hand.",
  update_announcements: "Edit the announcement by hand so it shows the incident as it is now; if it was deleted, post it again with the `announce` command.",
  status_draft: "Write the status page update by hand.",
  postmortem_invite: "Send the meeting invitation by hand.",
  status_publish: "Publish the update on the status page by hand.",
  retire_review: "Its Publish button publishes nothing now: a newer draft replaced it (review that one, posted after it), or it was published.",
  pagerduty_note: "Add the note in PagerDuty by hand.",
  pagerduty_resolve: "Resolve the incident in PagerDuty by hand, or it keeps paging.",
  github_issue: "Raise the issue in GitHub by hand.",
  invite: "Invite them to the room by hand.",
  publish_document: "Take the draft from the API (…/postmortem.md or …/runbook.md) and open the pull request by hand.",
  set_topic: "Set the topic by hand.",
  invite_assignees: "Invite the assignees to the room by hand.",
  pagerduty_create: "Open the incident in PagerDuty by hand so it pages.",
};
