import { parseChatCommand, type ChatCommand, type GrammarContext } from "../../domain/chat-command.js";
import type { ChatRequest } from "../../domain/chat-request.js";
import type { Person } from "../../domain/incident.js";
import { splitCategory } from "../../domain/note-category.js";
import { mentionCommandText } from "./mention.js";
import type { SlackInteraction } from "./types.js";

/** How people invoke Herald in Slack: the slash command, and a mention. */
export const SLASH_PREFIX = "/incident";
export const MENTION_PREFIX = "@Herald";

type Payload<K extends "block_actions" | "view_submission" | "message_action"> = Extract<SlackInteraction, { kind: K }>["payload"];
type Base = Pick<ChatRequest, "id" | "receivedAt">;

function person(user: { id: string; name?: string; username?: string }): Person {
  return { id: user.id, name: user.username ?? user.name ?? user.id };
}

function request(base: Base, rest: Omit<ChatRequest, "id" | "receivedAt" | "platform" | "prefix"> & { prefix?: string }): ChatRequest {
  return { ...base, platform: "slack", prefix: SLASH_PREFIX, ...rest };
}

/** `/incident …`, parsed and answered by the route already. */
export function slashCommandRequest(
  base: Base,
  command: { user_id: string; user_name?: string; channel_id: string; response_url?: string; text: string },
  asked: ChatCommand,
): ChatRequest {
  return request(base, {
    actor: { id: command.user_id, name: command.user_name ?? command.user_id },
    place: { channel: command.channel_id, threadId: null },
    via: "command",
    asked: { ok: true, command: asked, word: command.text.trim().split(/\s+/)[0] ?? "" },
    answer: "given",
    replyUrl: command.response_url ?? null,
  });
}

/** A button under one of Herald's messages (I'll lead, Publish…), as the command it stands for. */
export function buttonRequest(base: Base, payload: Payload<"block_actions">, channel: string, asked: ChatCommand, incidentId?: string): ChatRequest {
  return request(base, {
    actor: person(payload.user),
    place: { channel, threadId: null },
    via: "button",
    ...(incidentId ? { incidentId } : {}),
    asked: { ok: true, command: asked, word: asked.name },
    answer: "given",
    replyUrl: payload.response_url ?? null,
  });
}

/** A submitted form (declare, not an incident), as the command it stands for. */
export function formRequest(
  base: Base,
  user: Payload<"view_submission">["user"],
  where: { channel: string; replyUrl: string | null },
  asked: ChatCommand,
): ChatRequest {
  return request(base, {
    actor: person(user),
    place: { channel: where.channel, threadId: null },
    via: "form",
    asked: { ok: true, command: asked, word: asked.name },
    answer: "given",
    replyUrl: where.replyUrl,
  });
}

/** "Add to incident log" on a message: a note with the message's text, by whoever used the shortcut. */
export function shortcutRequest(base: Base, payload: Payload<"message_action">): ChatRequest {
  const { category, text } = splitCategory(payload.message.text);
  return request(base, {
    actor: person(payload.user),
    place: { channel: payload.channel.id, threadId: null },
    via: "shortcut",
    asked: { ok: true, command: { name: "note", category, text }, word: "note" },
    answer: "given",
    replyUrl: payload.response_url ?? null,
  });
}

/** `@Herald …` in a channel: parsed here, checked and answered in its thread from the background. */
export function mentionRequest(
  base: Base,
  event: { user: string; channel: string; text: string; ts: string; thread_ts?: string },
  grammar: GrammarContext,
): ChatRequest {
  const text = mentionCommandText(event.text);
  const parsed = parseChatCommand(text, grammar);
  return request(base, {
    actor: { id: event.user, name: event.user },
    place: { channel: event.channel, threadId: event.thread_ts ?? event.ts },
    via: "mention",
    asked: parsed.ok ? { ok: true, command: parsed.command, word: text.trim().split(/\s+/)[0] ?? "" } : parsed,
    answer: "thread",
    replyUrl: null,
    prefix: MENTION_PREFIX,
  });
}
