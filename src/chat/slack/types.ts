import * as z from "../../validation/zod.js";

/** Shapes of Slack's inbound requests, as documented; unknown fields pass through. */

const id = z.string().min(1);
const userRef = z.looseObject({ id, name: z.string().optional(), username: z.string().optional() });
const channelRef = z.looseObject({ id, name: z.string().optional() });

// Only the fields Herald reads are kept (the command's path is the hot one).
export const slashCommandSchema = z.object({
  team_id: id,
  channel_id: id,
  channel_name: z.string().optional(),
  user_id: id,
  user_name: z.string().optional(),
  command: z.string().regex(/^\//, "must start with /"),
  text: z.string().default(""),
  response_url: z.string().optional(),
  trigger_id: z.string().optional(),
  api_app_id: z.string().optional(),
});

export const blockActionsSchema = z.looseObject({
  type: z.literal("block_actions"),
  user: userRef,
  channel: channelRef.optional(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  actions: z.array(z.looseObject({ action_id: id, block_id: z.string().optional(), value: z.string().optional() })).min(1),
});

export const viewSubmissionSchema = z.looseObject({
  type: z.literal("view_submission"),
  user: userRef,
  view: z.looseObject({
    id,
    callback_id: z.string(),
    private_metadata: z.string().default(""),
    state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({}))) }),
  }),
});

export const messageActionSchema = z.looseObject({
  type: z.literal("message_action"),
  callback_id: z.string(),
  user: userRef,
  channel: channelRef,
  message: z.looseObject({ text: z.string().default(""), ts: z.string(), user: z.string().optional() }),
  response_url: z.string().optional(),
  trigger_id: z.string().optional(),
});

export const shortcutSchema = z.looseObject({
  type: z.literal("shortcut"),
  callback_id: z.string(),
  user: userRef,
  trigger_id: z.string().optional(),
});

export const eventEnvelopeSchema = z.looseObject({ type: z.string() });

export const urlVerificationSchema = z.looseObject({ type: z.literal("url_verification"), challenge: z.string().min(1) });

export const eventCallbackSchema = z.looseObject({
  type: z.literal("event_callback"),
  // Slack sends it today; older payloads (and some SDK fixtures) have none.
  event_id: z.string().optional(),
  team_id: z.string().optional(),
  event: z.looseObject({ type: z.string() }),
});

export const appMentionSchema = z.looseObject({
  type: z.literal("app_mention"),
  user: id,
  text: z.string(),
  channel: id,
  ts: z.string(),
  thread_ts: z.string().optional(),
  bot_id: z.string().optional(),
});

export const reactionAddedSchema = z.looseObject({
  type: z.literal("reaction_added"),
  user: id,
  reaction: z.string(),
  item: z.looseObject({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
});

export type SlashCommand = z.infer<typeof slashCommandSchema>;

/** A parsed slash-command request. */
export type SlackCommandRequest = { kind: "ssl_check" } | { kind: "command"; command: SlashCommand };

/** A parsed interactivity request, tagged by kind; every variant keeps the raw payload. */
export type SlackInteraction =
  | { kind: "block_actions"; payload: z.infer<typeof blockActionsSchema>; raw: unknown }
  | { kind: "view_submission"; payload: z.infer<typeof viewSubmissionSchema>; raw: unknown }
  | { kind: "message_action"; payload: z.infer<typeof messageActionSchema>; raw: unknown }
  | { kind: "shortcut"; payload: z.infer<typeof shortcutSchema>; raw: unknown }
  | { kind: "unsupported"; type: string; raw: unknown };

/** A parsed Events API request; an event type Herald does not handle is `unsupported`. */
export type SlackEventRequest =
  | { kind: "url_verification"; challenge: string }
  | { kind: "app_mention"; eventId: string | null; event: z.infer<typeof appMentionSchema>; raw: unknown }
  | { kind: "reaction_added"; eventId: string | null; event: z.infer<typeof reactionAddedSchema>; raw: unknown }
  | { kind: "unsupported"; type: string; eventId: string | null; raw: unknown };
