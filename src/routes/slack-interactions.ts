import type { Handler } from "hono";
import { parseInteraction } from "../chat/slack/parse.js";
import type { Background } from "../ports/background.js";
import type { Clock } from "../ports/clock.js";
import type { HmacSha256 } from "../crypto/hmac.js";
import type { Store } from "../ports/store.js";
import { volunteerRole } from "../domain/command-events.js";
import { acceptDelivery } from "./accept-delivery.js";
import { readSlackRequest } from "./read-slack-request.js";

/** The message shortcut that files a message in the incident's log (see slack-app-manifest.yaml). */
export const ADD_TO_LOG = "add_to_incident_log";

const LIMIT_BYTES = 256 * 1024;

/**
 * POST /slack/interactions: acknowledged at once. "I'll lead" / "I'll scribe" on the summary give the
 * clicker the role, and "Add to incident log" on a message in an incident channel puts the message
 * on the log, both in the background; other interactions are acknowledged and left alone.
 */
export function slackInteractionsHandler(deps: {
  store: Store;
  clock: Clock;
  background: Background;
  signingSecret: string | null;
  hmac?: HmacSha256;
}): Handler {
  return async (c) => {
    const text = await readSlackRequest(c, {
      signingSecret: deps.signingSecret,
      clock: deps.clock,
      hmac: deps.hmac,
      mediaType: "application/x-www-form-urlencoded",
      limitBytes: LIMIT_BYTES,
    });
    const interaction = parseInteraction(text);
    if (interaction.kind === "block_actions") {
      const { channel, actions, trigger_id: trigger } = interaction.payload;
      const volunteer = actions.find((a) => volunteerRole(a.action_id));
      if (volunteer && channel && (await deps.store.findIncidentByChannel(channel.id))) {
        const id = `slack:action:${trigger ?? `${channel.id}:${interaction.payload.user.id}:${volunteer.action_id}`}`;
        await acceptDelivery(deps, { id, source: "slack", body: text });
      }
    }
    if (interaction.kind === "message_action" && interaction.payload.callback_id === ADD_TO_LOG) {
      const { channel, message, trigger_id: trigger } = interaction.payload;
      if (await deps.store.findIncidentByChannel(channel.id)) {
        await acceptDelivery(deps, { id: `slack:shortcut:${trigger ?? `${channel.id}:${message.ts}`}`, source: "slack", body: text });
      }
    }
    return c.body(null, 200);
  };
}
