import type { Handler } from "hono";
import { buttonRequest, formRequest, shortcutRequest } from "./chat-request.js";
import { DECLARE_CALLBACK, declareFormView, readDeclareForm } from "./declare-form.js";
import { NOT_INCIDENT_CALLBACK, notIncidentFormView, readNotIncidentForm } from "./not-incident-form.js";
import { parseInteraction } from "./parse.js";
import type { ChatCommand } from "../../domain/chat-command.js";
import type { ChatRequest } from "../../domain/chat-request.js";
import { publishCommand, STATUS_PUBLISH, TRIAGE_DECLARE, TRIAGE_NOT_INCIDENT, volunteerRole } from "../../domain/command-events.js";
import { acceptDelivery } from "../../routes/accept-delivery.js";
import { readSlackRequest } from "./read-slack-request.js";
import type { SlackRouteDeps } from "./slack-route-deps.js";
import { openForm } from "./slack-commands.js";
import { markupAsText } from "../markup-tokens.js";
import { ownWork, saidAgain } from "../said-again.js";

/** The message shortcut that files a message in the incident's log (see slack-app-manifest.yaml). */
export const ADD_TO_LOG = "add_to_incident_log";

const LIMIT_BYTES = 256 * 1024;

/**
 * POST /slack/interactions, acknowledged at once. Handled: "I'll lead" / "I'll scribe" under the
 * summary; the triage checklist's buttons (each opens its form); the declare and not-an-incident
 * forms (field errors, and a request said again, shown in the form, else the work goes to the
 * background); "Add to incident log" on a message in an incident channel. Other interactions are
 * acknowledged and left alone.
 */
export function slackInteractionsHandler(deps: SlackRouteDeps): Handler {
  return async (c) => {
    const text = await readSlackRequest(c, deps, { mediaType: "application/x-www-form-urlencoded", limitBytes: LIMIT_BYTES });
    const accept = (id: string, request: (base: Pick<ChatRequest, "id" | "receivedAt">) => ChatRequest) =>
      acceptDelivery(deps, { id, source: "slack", body: text, request: request({ id, receivedAt: deps.clock.now().toISOString() }) });
    const interaction = parseInteraction(text);
    switch (interaction.kind) {
      case "block_actions": {
        const { channel, actions, trigger_id: trigger, user, response_url: responseUrl } = interaction.payload;
        if (!channel) break;
        const ids = actions.map((a) => a.action_id);
        const recorded = actions.find((a) => volunteerRole(a.action_id) || a.action_id === STATUS_PUBLISH);
        // A volunteer button names its incident (it is also posted in the team channel); others are in the incident's room.
        const role = recorded ? volunteerRole(recorded.action_id) : null;
        const named = role && recorded?.value ? await deps.store.getIncident(recorded.value) : null;
        const incident = named ?? (recorded ? await deps.store.findIncidentByChannel(channel.id) : null);
        if (recorded && incident) {
          const command: ChatCommand = role ? { name: "assign", role, who: { kind: "me" }, takeOver: false } : publishCommand(recorded.value);
          await accept(`slack:action:${trigger ?? `${channel.id}:${user.id}:${recorded.action_id}`}`, (base) =>
            buttonRequest(base, interaction.payload, channel.id, command, incident.channel?.id === channel.id ? undefined : incident.id),
          );
        } else if (ids.includes(TRIAGE_DECLARE)) {
          await openForm(deps, trigger, declareFormView(deps.config, channel.id));
        } else if (ids.includes(TRIAGE_NOT_INCIDENT)) {
          await openForm(deps, trigger, notIncidentFormView(channel.id, responseUrl ?? null));
        }
        break;
      }
      case "view_submission": {
        const { view, user } = interaction.payload;
        let command: ChatCommand;
        if (view.callback_id === DECLARE_CALLBACK) {
          const form = readDeclareForm(view.state.values, deps.config);
          // Slack shows these under the fields, and the form stays open.
          if (!form.ok) return c.json({ response_action: "errors", errors: form.errors });
          command = { name: "declare", quick: form.details };
        } else if (view.callback_id === NOT_INCIDENT_CALLBACK) {
          const form = readNotIncidentForm(view.state.values);
          if (!form.ok) return c.json({ response_action: "errors", errors: form.errors });
          command = { name: "not-incident", reason: form.reason };
        } else {
          break;
        }
        const metadata = readMetadata(view.private_metadata);
        const where = { channel: metadata.channel ?? "", replyUrl: metadata.responseUrl ?? null };
        // The same as one said a moment ago (its answer lost, say): told in the form, which stays open.
        // The same form sent again (one view) is stored once, and is not taken for one said again.
        const id = `slack:view:${view.id}`;
        const again = await saidAgain(
          command,
          { platform: "slack", channel: where.channel, actorId: user.id, at: deps.clock.now().toISOString(), ...ownWork(id) },
          deps.store,
        );
        if (again) return c.json({ response_action: "errors", errors: { [command.name === "declare" ? "title" : "reason"]: markupAsText(again) } });
        await accept(id, (base) => formRequest(base, user, where, command));
        break;
      }
      case "message_action": {
        if (interaction.payload.callback_id !== ADD_TO_LOG) break;
        const { channel, message, trigger_id: trigger } = interaction.payload;
        if (await deps.store.findIncidentByChannel(channel.id)) {
          const payload = interaction.payload;
          await accept(`slack:shortcut:${trigger ?? `${channel.id}:${message.ts}`}`, (base) => shortcutRequest(base, payload));
        }
        break;
      }
    }
    return c.body(null, 200);
  };
}

/** The form's private metadata: where it was opened from, and the reply link that came with that. */
function readMetadata(text: string): { channel?: string; responseUrl?: string } {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return {
      channel: typeof value.channel === "string" ? value.channel : undefined,
      responseUrl: typeof value.responseUrl === "string" ? value.responseUrl : undefined,
    };
  } catch {
    return {};
  }
}
