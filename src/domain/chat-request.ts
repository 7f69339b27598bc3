import type { ChatCommand } from "./chat-command.js";
import type { Person } from "./incident.js";

/**
 * One request from a person in chat, as every platform's route translates it: who asked, where, how
 * (a typed command, a button, a form, a message shortcut, a mention), what was asked in Herald's
 * grammar, and where an answer goes. This is what is stored and processed; the platform's raw body
 * is kept beside it for audit only.
 */
export interface ChatRequest {
  /** Unique per request on its platform; the events and effects it causes are keyed on it. */
  id: string;
  /** The platform it came from (slack, console, teams): its adapter answers it. */
  platform: string;
  receivedAt: string;
  actor: Person;
  /** Where it was asked: a channel (room) id on the platform, and the thread when in one. */
  place: { channel: string; threadId: string | null };
  via: "command" | "button" | "form" | "shortcut" | "mention";
  /**
   * The incident a button names, when it is pressed outside the incident's room (the volunteer
   * request in the team channel); otherwise the incident is the one whose room `place` is.
   */
  incidentId?: string;
  /** What was asked, in the chat grammar; a mistake when the words did not parse. */
  asked: { ok: true; command: ChatCommand; word: string } | { ok: false; error: string };
  /**
   * How the person hears back: `given` when the route answered at once (mistakes and refusals
   * included), `thread` when Herald answers in the request's thread from the background.
   */
  answer: "given" | "thread";
  /** The platform's link for answering this request where Herald may not post (Slack's response_url). */
  replyUrl: string | null;
  /** How the person invokes Herald on this platform (`/incident`, `@Herald`), for help and hints. */
  prefix: string;
}
