import type { ChatButton } from "../../ports/chat.js";
import { fitText } from "../fit-text.js";

/** Block Kit's limits (Slack docs): what a message's blocks must stay within. */
export const BLOCK_KIT_LIMITS = { blocks: 50, sectionText: 3000, actionsElements: 25, buttonText: 75, buttonValue: 2000 };

/** chat.postMessage's `text`: Slack truncates past 40,000 characters; Herald cuts first, visibly. */
export const MESSAGE_TEXT_LIMIT = 40_000;

/** A message with buttons, as Block Kit: its text in a section, then the buttons. */
export function messageBlocks(text: string, buttons: ChatButton[]): Record<string, unknown>[] {
  return [
    // A section holds 3,000 characters; the whole text stays in the message's `text` too.
    { type: "section", text: { type: "mrkdwn", text: fitText(text, BLOCK_KIT_LIMITS.sectionText) } },
    {
      type: "actions",
      elements: buttons.slice(0, BLOCK_KIT_LIMITS.actionsElements).map((b) => ({
        type: "button",
        action_id: b.actionId,
        value: b.value.slice(0, BLOCK_KIT_LIMITS.buttonValue),
        text: { type: "plain_text", text: b.label.slice(0, BLOCK_KIT_LIMITS.buttonText) },
      })),
    },
  ];
}
