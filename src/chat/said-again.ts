import type { ChatCommand, DeclareDetails } from "../domain/chat-command.js";
import { declaredIncidentId } from "../domain/command-events.js";
import type { Incident } from "../domain/incident.js";
import type { Effect, IncidentStore, OutboxStore } from "../ports/store.js";
import { escapeChat } from "../render/escape.js";
import { formatElapsed } from "../render/helpers.js";
import { shortHash } from "./short-hash.js";

/**
 * How long the same `not-incident` (same reason, same person, same channel) is taken for the same
 * request said twice (its answer lost, or Slack saying the command failed) rather than a new one.
 */
const NOT_INCIDENT_AGAIN_MS = 10 * 60_000;

/**
 * How long the same `declare` (same priority, service and title, same person, same channel, the
 * incident still open) is taken for the same request said twice rather than a second incident: a
 * declare opens a room and may page, so a retry that made another would do both twice.
 */
const DECLARE_AGAIN_MS = 10 * 60_000;
/** Open incidents looked through, newest first, for a declare said again (a storm of pages may come between). */
const DECLARE_AGAIN_LOOKED_AT = 500;
const DECLARE_AGAIN_PAGE = 100;

/** Who said a command, where and when: what tells one said again from a new one. */
export interface SaidBy {
  platform: string;
  channel: string;
  actorId: string;
  /** When it was said (ISO). */
  at: string;
  /** The key of this request's own issue, once it is stored: never its own earlier copy. */
  ownIssueKey?: string;
  /** The incident this request's own declare opens, once it is stored: never its own earlier copy. */
  ownIncidentId?: string;
}

/** What a stored request's own issue and incident are, so that it is never taken for one said again (processed again, or a form sent twice). */
export function ownWork(requestId: string): Pick<SaidBy, "ownIssueKey" | "ownIncidentId"> {
  return { ownIssueKey: `${requestId}:issue`, ownIncidentId: declaredIncidentId(requestId) };
}

/**
 * Why a command files nothing, said to whoever asked, when it is one said again:
 * - `not-incident` with the same reason by the same person in the same channel within ten minutes
 *   of the first, whose issue is filed or on its way (one Herald gave up on is filed again);
 * - `declare` with the same priority, service and title by the same person in the same channel
 *   within ten minutes of the first, whose incident is still open (a team may declare two with one
 *   title: by another person, from another channel, for another service or at another priority).
 * Null otherwise. Asked by the routes that answer at once and again in the background, where a first
 * one still on its way when the route answered is found.
 */
export async function saidAgain(
  command: ChatCommand,
  by: SaidBy,
  store: Pick<OutboxStore, "effectsFor"> & Pick<IncidentStore, "pageIncidents">,
): Promise<string | null> {
  if (command.name === "declare") return command.quick ? declaredAgain(command.quick, by, store) : null;
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

/** The open incident the same person declared here with the same priority, service and title a moment ago, told of; null when there is none. */
async function declaredAgain(quick: DeclareDetails, by: SaidBy, store: Pick<IncidentStore, "pageIncidents">): Promise<string | null> {
  const at = Date.parse(by.at);
  const title = sameWords(quick.title);
  const same = (incident: Incident) =>
    incident.id !== by.ownIncidentId &&
    incident.declaredBy?.id === by.actorId &&
    incident.declaredIn === by.channel &&
    (incident.platform ?? by.platform) === by.platform &&
    incident.service?.id === quick.service &&
    incident.priority === quick.priority &&
    sameWords(incident.title) === title;
  let cursor: string | null = null;
  for (let looked = 0; looked < DECLARE_AGAIN_LOOKED_AT; looked += DECLARE_AGAIN_PAGE) {
    // Newest first: past the window, the rest are older still.
    const page = await store.pageIncidents({ status: "open", limit: DECLARE_AGAIN_PAGE, cursor });
    for (const incident of page.items) {
      const since = at - Date.parse(incident.triggeredAt);
      if (since > DECLARE_AGAIN_MS) return null;
      if (since >= -DECLARE_AGAIN_MS && same(incident)) return declareSaidAgain(incident, by.at);
    }
    if (!page.next) return null;
    cursor = page.next;
  }
  return null;
}

function declareSaidAgain(first: Incident, saidAt: string): string {
  const where = first.channel ? `its channel is <#${first.channel.id}|${escapeChat(first.channel.name)}>` : "Herald is opening its channel";
  return `:rotating_light: You declared *${escapeChat(first.title)}* ${formatElapsed(first.triggeredAt, saidAt)} ago, and it is still open: ${where}. Nothing more is declared. To declare another incident, give it another title.`;
}

/** The same reason (or title), told apart from another by its words alone (case and spacing aside). */
function sameWords(reason: string): string {
  return reason.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Not-incident requests with the same reason from the same person in the same channel share it, so one said again is found. */
export function notIncidentId(by: Pick<SaidBy, "platform" | "channel" | "actorId">, reason: string): string {
  return `not-incident:${shortHash([by.platform, by.channel, by.actorId, sameWords(reason)].join("\n"))}`;
}
