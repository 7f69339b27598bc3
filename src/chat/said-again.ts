import type { ChatCommand } from "../domain/chat-command.js";
import type { Effect, OutboxStore } from "../ports/store.js";
import { escapeChat } from "../render/escape.js";
import { formatElapsed } from "../render/helpers.js";
import { shortHash } from "./short-hash.js";

/**
 * How long the same `not-incident` (same reason, same person, same channel) is taken for the same
 * request said twice (its answer lost, or Slack saying the command failed) rather than a new one.
 */
const NOT_INCIDENT_AGAIN_MS = 10 * 60_000;

/** Who said a command, where and when: what tells one said again from a new one. */
export interface SaidBy {
  platform: string;
  channel: string;
  actorId: string;
  /** When it was said (ISO). */
  at: string;
  /** The key of this request's own issue, once it is stored: never its own earlier copy. */
  ownIssueKey?: string;
}

/**
 * Why a command files nothing, said to whoever asked, when it is one said again: `not-incident`
 * with the same reason by the same person in the same channel within ten minutes of the first,
 * whose issue is filed or on its way (one Herald gave up on is filed again). Null otherwise. Asked
 * by the routes that answer at once and again in the background, where a first one still on its
 * way when the route answered is found.
 */
export async function saidAgain(command: ChatCommand, by: SaidBy, store: Pick<OutboxStore, "effectsFor">): Promise<string | null> {
  if (command.name !== "not-incident") return null;
  const words = sameWords(command.reason);
  const at = Date.parse(by.at);
  const earlier = (await store.effectsFor(notIncidentId(by, command.reason))).filter(
    (e) =>
      e.key !== by.ownIssueKey &&
      e.payload.kind === "github_issue" &&
      sameWords(String(e.payload.announce?.data.reason ?? "")) === words &&
      (e.status === "pending" || e.status === "in_flight" || e.status === "done") &&
      Math.abs(at - Date.parse(e.createdAt)) <= NOT_INCIDENT_AGAIN_MS,
  );
  const first = earlier.at(-1);
  return first ? notIncidentSaidAgain(first, by.at) : null;
}

function notIncidentSaidAgain(first: Effect, saidAt: string): string {
  const filed = first.status === "done" ? (first.result as { url?: unknown; number?: unknown; title?: unknown } | null) : null;
  const where =
    filed && typeof filed.url === "string"
      ? `its issue is <${filed.url}|#${String(filed.number)} ${escapeChat(String(filed.title ?? ""))}>`
      : first.status === "done"
        ? "it is recorded (GitHub is not configured for Herald)"
        : "Herald is raising its issue and will post the link where it was said";
  return `:clipboard: You said this is not an incident ${formatElapsed(first.createdAt, saidAt)} ago, with the same reason: ${where}. Nothing more is filed.`;
}

/** The same reason, told apart from another by its words alone (case and spacing aside). */
function sameWords(reason: string): string {
  return reason.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Not-incident requests with the same reason from the same person in the same channel share it, so one said again is found. */
export function notIncidentId(by: Pick<SaidBy, "platform" | "channel" | "actorId">, reason: string): string {
  return `not-incident:${shortHash([by.platform, by.channel, by.actorId, sameWords(reason)].join("\n"))}`;
}
