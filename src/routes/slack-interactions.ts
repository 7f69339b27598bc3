import type { Handler } from "hono";
import { parseInteraction } from "../chat/slack/parse.js";
import { verifySlackRequest } from "../chat/slack/verify.js";
import { NotConfiguredError } from "../errors.js";
import type { Background } from "../ports/background.js";
import type { Clock } from "../ports/clock.js";
import type { Store } from "../ports/store.js";
import { readBody } from "./read-body.js";

/** The message shortcut that files a message in the incident's log (see slack-app-manifest.yaml). */
export const ADD_TO_LOG = "add_to_incident_log";

const LIMIT_BYTES = 256 * 1024;
const decoder = new TextDecoder();

/**
 * POST /slack/interactions: acknowledged at once. "Add to incident log" on a message in an incident
 * channel puts the message on the log in the background; other interactions are acknowledged and
 * left alone in this version.
 */
export function slackInteractionsHandler(deps: {
  store: Store;
  clock: Clock;
  background: Background;
  signingSecret: string | null;
}): Handler {
  return async (c) => {
    if (!deps.signingSecret) throw new NotConfiguredError("Slack is not configured: set SLACK_SIGNING_SECRET");
    const body = await readBody(c, { mediaType: "application/x-www-form-urlencoded", limitBytes: LIMIT_BYTES });
    await verifySlackRequest({
      body,
      signature: c.req.header("x-slack-signature"),
      timestamp: c.req.header("x-slack-request-timestamp"),
      signingSecret: deps.signingSecret,
      clock: deps.clock,
    });
    const text = decoder.decode(body);
    const interaction = parseInteraction(text);
    if (interaction.kind === "message_action" && interaction.payload.callback_id === ADD_TO_LOG) {
      const { channel, message, trigger_id: trigger } = interaction.payload;
      if (await deps.store.findIncidentByChannel(channel.id)) {
        const stored = await deps.store.recordDelivery({
          id: `slack:shortcut:${trigger ?? `${channel.id}:${message.ts}`}`,
          source: "slack",
          webhookId: null,
          receivedAt: deps.clock.now().toISOString(),
          body: text,
        });
        if (stored) deps.background.schedule("slack shortcut");
      }
    }
    return c.body(null, 200);
  };
}
