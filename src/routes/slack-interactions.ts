import type { Handler } from "hono";
import { TRIAGE_DECLARE, TRIAGE_NOT_INCIDENT } from "../chat/slack/command-replies.js";
import { DECLARE_CALLBACK, declareFormView, readDeclareForm } from "../chat/slack/declare-form.js";
import { NOT_INCIDENT_CALLBACK, notIncidentFormView, readNotIncidentForm } from "../chat/slack/not-incident-form.js";
import { parseInteraction } from "../chat/slack/parse.js";
import { STATUS_PUBLISH, volunteerRole } from "../domain/command-events.js";
import { acceptDelivery } from "./accept-delivery.js";
import { readSlackRequest } from "./read-slack-request.js";
import type { SlackRouteDeps } from "./slack-route-deps.js";
import { openForm } from "./slack-commands.js";

/** The message shortcut that files a message in the incident's log (see slack-app-manifest.yaml). */
export const ADD_TO_LOG = "add_to_incident_log";

const LIMIT_BYTES = 256 * 1024;

/**
 * POST /slack/interactions, acknowledged at once. Handled: "I'll lead" / "I'll scribe" under the
 * summary; the triage checklist's buttons (each opens its form); the declare and not-an-incident
 * forms (field errors shown in the form, else the work goes to the background); "Add to incident
 * log" on a message in an incident channel. Other interactions are acknowledged and left alone.
 */
export function slackInteractionsHandler(deps: SlackRouteDeps): Handler {
  return async (c) => {
    const text = await readSlackRequest(c, deps, { mediaType: "application/x-www-form-urlencoded", limitBytes: LIMIT_BYTES });
    const accept = (id: string) => acceptDelivery(deps, { id, source: "slack", body: text });
    const interaction = parseInteraction(text);
    switch (interaction.kind) {
      case "block_actions": {
        const { channel, actions, trigger_id: trigger, user, response_url: responseUrl } = interaction.payload;
        if (!channel) break;
        const ids = actions.map((a) => a.action_id);
        const recorded = ids.find((id) => volunteerRole(id) || id === STATUS_PUBLISH);
        if (recorded && (await deps.store.findIncidentByChannel(channel.id))) {
          await accept(`slack:action:${trigger ?? `${channel.id}:${user.id}:${recorded}`}`);
        } else if (ids.includes(TRIAGE_DECLARE)) {
          await openForm(deps, trigger, declareFormView(deps.config, channel.id));
        } else if (ids.includes(TRIAGE_NOT_INCIDENT)) {
          await openForm(deps, trigger, notIncidentFormView(channel.id, responseUrl ?? null));
        }
        break;
      }
      case "view_submission": {
        const { view } = interaction.payload;
        if (view.callback_id !== DECLARE_CALLBACK && view.callback_id !== NOT_INCIDENT_CALLBACK) break;
        const form = view.callback_id === DECLARE_CALLBACK ? readDeclareForm(view.state.values, deps.config) : readNotIncidentForm(view.state.values);
        // Slack shows these under the fields, and the form stays open.
        if (!form.ok) return c.json({ response_action: "errors", errors: form.errors });
        await accept(`slack:view:${view.id}`);
        break;
      }
      case "message_action": {
        if (interaction.payload.callback_id !== ADD_TO_LOG) break;
        const { channel, message, trigger_id: trigger } = interaction.payload;
        if (await deps.store.findIncidentByChannel(channel.id)) await accept(`slack:shortcut:${trigger ?? `${channel.id}:${message.ts}`}`);
        break;
      }
    }
    return c.body(null, 200);
  };
}
