import type { Handler } from "hono";
import { parseSlackEvent } from "../chat/slack/parse.js";
import type { Clock } from "../ports/clock.js";
import type { HmacSha256 } from "../crypto/hmac.js";
import { readSlackRequest } from "./read-slack-request.js";

const LIMIT_BYTES = 256 * 1024;

/**
 * POST /slack/events: the Events API. Answers the URL check with its challenge and acknowledges
 * every event at once; this version acts on none yet, so Slack's retries are told to stop.
 */
export function slackEventsHandler(deps: { clock: Clock; signingSecret: string | null; hmac?: HmacSha256 }): Handler {
  return async (c) => {
    const text = await readSlackRequest(c, {
      signingSecret: deps.signingSecret,
      clock: deps.clock,
      hmac: deps.hmac,
      mediaType: "application/json",
      limitBytes: LIMIT_BYTES,
    });
    const event = parseSlackEvent(text);
    if (event.kind === "url_verification") return c.json({ challenge: event.challenge });
    c.header("X-Slack-No-Retry", "1");
    return c.body(null, 200);
  };
}
