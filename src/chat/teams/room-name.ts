import { cutText } from "../fit-text.js";

/** Characters Teams does not allow in a channel's name. */
const FORBIDDEN = /[~#%&*{}+/\\:<>?|'"\u0000-\u001f]/g;
const MAX_LENGTH = 50;

/**
 * A room name fitted to Teams' rules: at most 50 characters (UTF-16 code units, as Graph counts them:
 * an emoji is two), none of ~ # % & * { } + / \ : < > ? | ' ", not starting with _ or . and not
 * ending with .; `attempt` 2, 3, … adds `-2`, `-3` within the limit.
 */
export function teamsRoomName(wanted: string, attempt: number): string {
  const suffix = attempt > 1 ? `-${attempt}` : "";
  const clean = wanted.replace(FORBIDDEN, " ").replace(/\s+/g, " ").trim().replace(/^[_.]+/, "");
  const cut = cutText(clean, MAX_LENGTH - suffix.length).replace(/[.\s]+$/, "");
  return `${cut || "incident"}${suffix}`;
}
