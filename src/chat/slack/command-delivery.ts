import { grammarContext, roleNames } from "../../config/grammar-context.js";
import type { Config } from "../../config/schema.js";
import { parseChatCommand } from "../../domain/chat-command.js";
import { commandEvents, volunteerRole } from "../../domain/command-events.js";
import type { IncidentEvent } from "../../domain/incident-event.js";
import type { Delivery, NewEffect, Store } from "../../ports/store.js";
import type { Renderer } from "../../render/renderer.js";
import { splitCategory } from "../../domain/note-category.js";
import { parseInteraction, parseSlashCommand } from "./parse.js";

/** The incident events of a stored `/incident` command (the raw form body is what was stored). */
export async function slackCommandEvents(
  delivery: Delivery,
  store: Store,
  config: Config,
  renderer: Renderer,
): Promise<{ events: IncidentEvent[]; effects: NewEffect[] }> {
  if (delivery.id.startsWith("slack:shortcut:")) return { events: await shortcutEvents(delivery, store), effects: [] };
  if (delivery.id.startsWith("slack:action:")) return { events: await buttonEvents(delivery, store, config), effects: [] };
  const request = parseSlashCommand(delivery.body);
  if (request.kind !== "command") return { events: [], effects: [] };
  const { command } = request;
  const parsed = parseChatCommand(command.text, grammarContext(config));
  if (!parsed.ok) throw new Error(`stored command no longer parses: ${parsed.error.split("\n")[0]}`);
  if (parsed.command.name === "not-incident") {
    // Not an incident (process step 1): it becomes an issue in the team's repository instead.
    const reason = parsed.command.reason;
    const data = { reason, by: command.user_name ?? command.user_id, at: delivery.receivedAt };
    const effect: NewEffect = {
      key: `${delivery.id}:issue`,
      incidentId: `not-incident:${delivery.id}`,
      payload: {
        kind: "github_issue",
        title: reason.length > 80 ? `${reason.slice(0, 77)}...` : reason,
        body: renderer.render("not-an-incident-issue", data),
        labels: ["not-an-incident"],
        announce: { channel: command.channel_id, template: "not-an-incident", data: { reason } },
      },
    };
    return { events: [], effects: [effect] };
  }
  const incident = await store.findIncidentByChannel(command.channel_id);
  if (!incident && parsed.command.name !== "declare") throw new Error(`no incident has channel ${command.channel_id}`);
  const events = commandEvents(parsed.command, {
    id: delivery.id,
    at: delivery.receivedAt,
    source: "slack",
    actor: { id: command.user_id, name: command.user_name ?? command.user_id },
    incident,
    roleNames: roleNames(config),
    services: Object.fromEntries(config.services.map((s) => [s.key, s.name])),
  });
  return { events, effects: [] };
}

/** "Add to incident log" on a message: the message, filed by whoever used the shortcut. */
async function shortcutEvents(delivery: Delivery, store: Store): Promise<IncidentEvent[]> {
  const interaction = parseInteraction(delivery.body);
  if (interaction.kind !== "message_action") return [];
  const { channel, message, user } = interaction.payload;
  const incident = await store.findIncidentByChannel(channel.id);
  if (!incident) throw new Error(`no incident has channel ${channel.id}`);
  const { category, text } = splitCategory(message.text);
  return [
    {
      id: delivery.id,
      occurredAt: delivery.receivedAt,
      author: { id: user.id, name: user.name ?? user.username ?? user.id },
      source: "slack",
      pagerdutyIncidentId: incident.pagerdutyId,
      incidentId: incident.id,
      incidentTitle: incident.title,
      kind: "note_added",
      type: "note.added",
      noteId: delivery.id,
      category,
      text,
    },
  ];
}

/** "I'll lead" / "I'll scribe": the person who clicked takes the role. */
async function buttonEvents(delivery: Delivery, store: Store, config: Config): Promise<IncidentEvent[]> {
  const interaction = parseInteraction(delivery.body);
  if (interaction.kind !== "block_actions" || !interaction.payload.channel) return [];
  const role = interaction.payload.actions.map((a) => volunteerRole(a.action_id)).find((r) => r !== null);
  if (!role) return [];
  const incident = await store.findIncidentByChannel(interaction.payload.channel.id);
  if (!incident) throw new Error(`no incident has channel ${interaction.payload.channel.id}`);
  const { user } = interaction.payload;
  const actor = { id: user.id, name: user.username ?? user.name ?? user.id };
  return commandEvents(
    { name: "assign", role, who: { kind: "me" } },
    { id: delivery.id, at: delivery.receivedAt, source: "slack", actor, incident, roleNames: roleNames(config), services: {} },
  );
}
