import type { Config } from "../../config/schema.js";
import type { DeclareDetails, NotifyTarget } from "../../domain/chat-command.js";
import { modal } from "./modal.js";

/** The declare form's callback id: its submission comes back to /slack/interactions under it. */
export const DECLARE_CALLBACK = "declare_incident";

// Block Kit limits (Slack docs): option texts and descriptions 75 characters, a modal title 24.
const OPTION_TEXT_MAX = 75;
const TITLE_MAX = 150;
const DESCRIPTION_MAX = 3000;

const plain = (text: string) => ({ type: "plain_text", text: clip(text, OPTION_TEXT_MAX) });

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The declare form (process step 2) as a Slack modal: title, description, impacted service from the
 * configuration, priority with each definition shown, and "notify users now". `channelId` is where
 * it was asked for, kept in the view's private metadata.
 */
export function declareFormView(config: Config, channelId: string): Record<string, unknown> {
  return modal({
    callbackId: DECLARE_CALLBACK,
    metadata: { channel: channelId },
    title: "Declare an incident",
    submit: "Declare",
    blocks: [
      {
        type: "input",
        block_id: "title",
        label: plain("Title"),
        element: {
          type: "plain_text_input",
          action_id: "value",
          max_length: TITLE_MAX,
          placeholder: plain("A meaningful title, e.g. VPC peering to the shared account is down"),
        },
      },
      {
        type: "input",
        block_id: "description",
        optional: true,
        label: plain("Description"),
        hint: plain("As much as you know: what is affected, since when, what has been tried."),
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: DESCRIPTION_MAX },
      },
      {
        type: "input",
        block_id: "service",
        label: plain("Impacted service"),
        element: {
          type: "static_select",
          action_id: "value",
          placeholder: plain("Choose a service"),
          options: config.services.map((s) => ({ text: plain(s.name), value: s.key })),
        },
      },
      {
        type: "input",
        block_id: "priority",
        label: plain("Priority"),
        element: {
          type: "radio_buttons",
          action_id: "value",
          options: config.priorities.map((p) => ({ text: plain(p.name), value: p.name, description: plain(p.description) })),
        },
      },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: clip(config.priorities.map((p) => `*${p.name}*: ${escapeForBlock(p.description)}`).join("\n"), 3000) }],
      },
      {
        type: "input",
        block_id: "notify",
        optional: true,
        label: plain("Notify users now"),
        hint: plain("You may prefer to leave this until more is known."),
        element: {
          type: "checkboxes",
          action_id: "value",
          options: (["ask", "update"] as const).map((to) => ({ text: plain(`Announce in the ${to} channel`), value: to })),
        },
      },
    ],
  });
}

function escapeForBlock(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

type StateValues = Record<string, Record<string, Record<string, unknown>>>;

export type DeclareFormResult = { ok: true; details: DeclareDetails } | { ok: false; errors: Record<string, string> };

/** Reads a submitted declare form; field errors are keyed by block id, as Slack shows them. */
export function readDeclareForm(values: StateValues, config: Config): DeclareFormResult {
  const field = (block: string) => values[block]?.value ?? {};
  const text = (block: string) => {
    const value = field(block).value;
    return typeof value === "string" ? value.trim() : "";
  };
  const selected = (block: string) => {
    const option = field(block).selected_option as { value?: unknown } | null | undefined;
    return typeof option?.value === "string" ? option.value : "";
  };
  const errors: Record<string, string> = {};
  const title = text("title");
  if (!title) errors.title = "Give the incident a title.";
  const service = config.services.find((s) => s.key === selected("service"));
  if (!service) errors.service = "Choose the impacted service.";
  const priority = config.priorities.find((p) => p.name === selected("priority"));
  if (!priority) errors.priority = "Choose a priority.";
  const chosen = (field("notify").selected_options as { value?: unknown }[] | undefined) ?? [];
  const notify = chosen.map((o) => o.value).filter((v): v is NotifyTarget => v === "ask" || v === "update");
  if (!service || !priority || !title) return { ok: false, errors };
  return { ok: true, details: { title, service: service.key, priority: priority.name, description: text("description") || null, notify } };
}
