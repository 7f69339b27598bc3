import type * as z from "../../validation/zod.js";
import { MalformedBodyError } from "../../errors.js";
import { parseForm } from "./form.js";
import {
  appMentionSchema,
  blockActionsSchema,
  eventCallbackSchema,
  eventEnvelopeSchema,
  messageActionSchema,
  reactionAddedSchema,
  shortcutSchema,
  slashCommandSchema,
  urlVerificationSchema,
  viewSubmissionSchema,
  type SlackCommandRequest,
  type SlackEventRequest,
  type SlackInteraction,
} from "./types.js";

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new MalformedBodyError(`${what}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "is invalid"}`);
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedBodyError(`${what} is not valid JSON`);
  }
}

/** Parses a slash-command request (form-encoded); Slack's `ssl_check` probe is its own kind. */
export function parseSlashCommand(body: string): SlackCommandRequest {
  const form = parseForm(body);
  if (form.ssl_check === "1") return { kind: "ssl_check" };
  return { kind: "command", command: check(slashCommandSchema, form, "slash command") };
}

/** Parses an interactivity request: the form field `payload` holding JSON, tagged by its type. */
export function parseInteraction(body: string): SlackInteraction {
  const payload = new URLSearchParams(body).get("payload");
  if (payload === null) throw new MalformedBodyError("interactivity request has no payload field");
  const raw = json(payload, "payload");
  const { type } = check(eventEnvelopeSchema, raw, "payload");
  switch (type) {
    case "block_actions":
      return { kind: type, payload: check(blockActionsSchema, raw, type), raw };
    case "view_submission":
      return { kind: type, payload: check(viewSubmissionSchema, raw, type), raw };
    case "message_action":
      return { kind: type, payload: check(messageActionSchema, raw, type), raw };
    case "shortcut":
      return { kind: type, payload: check(shortcutSchema, raw, type), raw };
    default:
      return { kind: "unsupported", type, raw };
  }
}

/** Parses an Events API request (JSON): the URL check, the events Herald handles, or `unsupported`. */
export function parseSlackEvent(body: string): SlackEventRequest {
  const raw = json(body, "body");
  const { type } = check(eventEnvelopeSchema, raw, "event request");
  if (type === "url_verification") return { kind: type, challenge: check(urlVerificationSchema, raw, type).challenge };
  if (type !== "event_callback") return { kind: "unsupported", type, eventId: null, raw };
  const callback = check(eventCallbackSchema, raw, type);
  const eventId = callback.event_id ?? null;
  switch (callback.event.type) {
    case "app_mention":
      return { kind: "app_mention", eventId, event: check(appMentionSchema, callback.event, "app_mention"), raw };
    case "reaction_added":
      return { kind: "reaction_added", eventId, event: check(reactionAddedSchema, callback.event, "reaction_added"), raw };
    default:
      return { kind: "unsupported", type: callback.event.type, eventId, raw };
  }
}
