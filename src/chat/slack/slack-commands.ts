import type { Context, Handler } from "hono";
import { answerAtOnce } from "../answer-at-once.js";
import { saidAgain } from "../said-again.js";
import { helpReply, triageText } from "../replies.js";
import { slashCommandRequest, SLASH_PREFIX as PREFIX } from "./chat-request.js";
import { toSlackMrkdwn } from "./slack-markup.js";
import { triageBlocks } from "./triage-blocks.js";
import { declareFormView } from "./declare-form.js";
import { parseSlashCommand } from "./parse.js";
import { grammarContext } from "../../config/grammar-context.js";
import { parseChatCommand } from "../../domain/chat-command.js";
import { acceptDelivery } from "../../routes/accept-delivery.js";
import { readSlackRequest } from "./read-slack-request.js";
import type { SlackRouteDeps } from "./slack-route-deps.js";


const LIMIT_BYTES = 64 * 1024;
// Slack waits 3 s for the answer, and a trigger id is good for 3 s: the form must open well before.
const OPEN_FORM_TIMEOUT_MS = 2_000;

/**
 * POST /slack/commands: `/incident …`. Answers within Slack's 3 seconds, always: help and mistakes
 * at once (only the sender sees them), record changes stored and done in the background.
 */
export function slackCommandHandler(deps: SlackRouteDeps): Handler {
  const grammar = grammarContext(deps.config);
  // The answers that never change, made once.
  const help = ephemeral(helpReply(PREFIX));
  const triage = JSON.stringify({ response_type: "ephemeral", text: triageText(deps.config, PREFIX), blocks: triageBlocks(deps.config, PREFIX) });

  return async (c) => {
    const text = await readSlackRequest(c, deps, { mediaType: "application/x-www-form-urlencoded", limitBytes: LIMIT_BYTES });
    const request = parseSlashCommand(text);
    if (request.kind === "ssl_check") return c.body(null, 200);
    const { command } = request;

    const now = deps.clock.now();
    const answered = await answerAtOnce(parseChatCommand(command.text, grammar), command.text.trim().split(/\s+/)[0] ?? "", {
      config: deps.config,
      prefix: PREFIX,
      userId: command.user_id,
      channel: command.channel_id,
      now,
      incident: () => deps.store.findIncidentByChannel(command.channel_id),
      openIncidents: (limit) => deps.store.openIncidents(limit),
      saidAgain: (asked) => saidAgain(asked, { platform: "slack", channel: command.channel_id, actorId: command.user_id, at: now.toISOString() }, deps.store),
    });
    switch (answered.kind) {
      case "help":
        return answer(c, help);
      case "triage":
        return answer(c, triage);
      case "mistake":
      case "refused":
      case "info":
        return answer(c, ephemeral(answered.text));
      case "form": {
        const problem = await openForm(deps, command.trigger_id, declareFormView(deps.config, command.channel_id));
        return problem ? answer(c, ephemeral(`${problem} Declare without it: \`${PREFIX} declare <priority> <service> <title>\`.`)) : c.body(null, 200);
      }
    }
    const id = `slack:${command.trigger_id ?? (await digest(text))}`;
    await acceptDelivery(deps, { id, source: "slack", body: text, request: slashCommandRequest({ id, receivedAt: deps.clock.now().toISOString() }, command, answered.command) });
    return answer(c, ephemeral(answered.acknowledgement));
  };
}

function ephemeral(text: string): string {
  return JSON.stringify({ response_type: "ephemeral", text: toSlackMrkdwn(text) });
}

/** A JSON answer (Hono keeps the headers object it is given, so each answer gets its own). */
function answer(c: Context, body: string): Response {
  return c.body(body, 200, { "content-type": "application/json" });
}

/** Opens a modal in time for Slack; says what went wrong for the user when it could not. */
export async function openForm(
  deps: Pick<SlackRouteDeps, "views" | "log">,
  triggerId: string | undefined,
  view: Record<string, unknown>,
): Promise<string | null> {
  if (!deps.views) return "The form needs Herald's Slack bot token (SLACK_BOT_TOKEN), which is not set.";
  if (!triggerId) return "Slack sent no trigger id, so the form cannot open.";
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      deps.views.openView(triggerId, view),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("Slack did not answer in time")), OPEN_FORM_TIMEOUT_MS);
      }),
    ]);
    return null;
  } catch (error) {
    deps.log(`opening a Slack form failed: ${(error as Error).message}`);
    return `The form did not open (${(error as Error).message}).`;
  } finally {
    clearTimeout(timer);
  }
}

async function digest(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}
