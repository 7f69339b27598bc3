import type { Handler } from "hono";
import { parseSlackEvent } from "../chat/slack/parse.js";
import { verifySlackRequest } from "../chat/slack/verify.js";
import { NotConfiguredError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import { readBody } from "./read-body.js";

const LIMIT_BYTES = 256 * 1024;
const decoder = new TextDecoder();

/**
 * POST /slack/events: the Events API. Answers the URL check with its challenge and acknowledges
 * every event at once; this version acts on none yet, so Slack's retries are told to stop.
 */
export function slackEventsHandler(deps: { clock: Clock; signingSecret: string | null }): Handler {
  return async (c) => {
    if (!deps.signingSecret) throw new NotConfiguredError("Slack is not configured: set SLACK_SIGNING_SECRET");
    const body = await readBody(c, { mediaType: "application/json", limitBytes: LIMIT_BYTES });
    await verifySlackRequest({
      body,
      signature: c.req.header("x-slack-signature"),
      timestamp: c.req.header("x-slack-request-timestamp"),
      signingSecret: deps.signingSecret,
      clock: deps.clock,
    });
    const event = parseSlackEvent(decoder.decode(body));
    if (event.kind === "url_verification") return c.json({ challenge: event.challenge });
    c.header("X-Slack-No-Retry", "1");
    return c.body(null, 200);
  };
}
