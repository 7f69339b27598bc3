import type { Config } from "../../config/schema.js";
import { TRIAGE_BUTTONS } from "../../domain/command-events.js";
import { triageText } from "../replies.js";

/** The triage checklist with its two answers as buttons. */
export function triageBlocks(config: Config, prefix: string): Record<string, unknown>[] {
  return [
    { type: "section", text: { type: "mrkdwn", text: triageText(config, prefix) } },
    {
      type: "actions",
      elements: TRIAGE_BUTTONS.map((b, i) => ({
        type: "button",
        action_id: b.actionId,
        ...(i === 0 ? { style: "primary" } : {}),
        text: { type: "plain_text", text: b.label },
        value: b.value,
      })),
    },
  ];
}

