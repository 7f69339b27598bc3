import type { Config } from "../config/schema.js";
import type { ChatCommand, ParsedCommand } from "../domain/chat-command.js";
import type { Incident } from "../domain/incident.js";
import { acknowledgement, mistakeReply, refusal, ticketHelp } from "./replies.js";

/** What a person is answered at once for what they typed, the same on every platform. */
export type AnswerAtOnce =
  | { kind: "mistake"; text: string }
  | { kind: "help" }
  /** An answer that records nothing (how to log a third-party ticket, say). */
  | { kind: "info"; text: string }
  | { kind: "triage" }
  | { kind: "refused"; text: string }
  /** `declare` with nothing after it: the platform's declare form, where it has one. */
  | { kind: "form" }
  /** On the record: store it, and tell the person it was taken. */
  | { kind: "take"; command: ChatCommand; acknowledgement: string };

export interface AnswerContext {
  config: Config;
  /** How the person invokes Herald here (`/incident`, `@Herald`). */
  prefix: string;
  userId: string;
  /** The channel (room) id it was said in. */
  channel: string;
  now: Date;
  /** The incident of the place it was said in, looked up only when the answer needs it. */
  incident: () => Promise<Incident | null>;
  /** The oldest `limit` incidents not resolved yet. */
  openIncidents: (limit: number) => Promise<Incident[]>;
  /** Why a command taken would file nothing, being one said again (see `saidAgain`); null when it is new. */
  saidAgain?: (command: ChatCommand) => Promise<string | null>;
}

/**
 * Decides the immediate answer to a command: a mistake, help, the triage checklist, a refusal with
 * its reason (one said again files nothing), the declare form, or taken. Slack's route, the console
 * and mentions all ask this.
 */
export async function answerAtOnce(parsed: ParsedCommand, word: string, context: AnswerContext): Promise<AnswerAtOnce> {
  if (!parsed.ok) return { kind: "mistake", text: mistakeReply(parsed.error, context.prefix) };
  const command = parsed.command;
  if (command.name === "help") return { kind: "help" };
  if (command.name === "triage") return { kind: "triage" };
  if (command.name === "ticket-help") return { kind: "info", text: ticketHelp(command.thirdParty, context.config) };
  const incident = await context.incident();
  const refused = await refusal({
    command,
    word,
    incident,
    userId: context.userId,
    channel: context.channel,
    config: context.config,
    prefix: context.prefix,
    now: context.now,
    openIncidents: context.openIncidents,
  });
  if (refused) return { kind: "refused", text: refused };
  if (command.name === "declare" && !command.quick) return { kind: "form" };
  const again = await context.saidAgain?.(command);
  if (again) return { kind: "refused", text: again };
  return { kind: "take", command, acknowledgement: acknowledgement(command, context.config, context.now, incident) };
}
