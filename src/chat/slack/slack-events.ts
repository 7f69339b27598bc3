import type { Handler } from "hono";
import { mentionRequest } from "./chat-request.js";
import { parseSlackEvent } from "./parse.js";
import { grammarContext } from "../../config/grammar-context.js";
import { acceptDelivery } from "../../routes/accept-delivery.js";
import { readSlackRequest } from "./read-slack-request.js";
import type { SlackRouteDeps } from "./slack-route-deps.js";

const LIMIT_BYTES = 256 * 1024;

/**
 * POST /slack/events: the Events API. Answers the URL check with its challenge; an `@Herald …`
 * mention is stored (once per event id, so Slack's retries change nothing) and answered in its
 * thread from the background; every other event is acknowledged and left alone.
 */
export function slackEventsHandler(deps: SlackRouteDeps): Handler {
  const grammar = grammarContext(deps.config);
  return async (c) => {
    const text = await readSlackRequest(c, deps, { mediaType: "application/json", limitBytes: LIMIT_BYTES });
    const event = parseSlackEvent(text);
    if (event.kind === "url_verification") return c.json({ challenge: event.challenge });
    // Bots (Herald among them) mentioning Herald are not taking part in the incident.
    if (event.kind === "app_mention" && !event.event.bot_id) {
      const id = `slack:event:${event.eventId ?? `${event.event.channel}:${event.event.ts}`}`;
      const request = mentionRequest({ id, receivedAt: deps.clock.now().toISOString() }, event.event, grammar);
      await acceptDelivery(deps, { id, source: "slack", body: text, request });
    }
    c.header("X-Slack-No-Retry", "1");
    return c.body(null, 200);
  };
}
