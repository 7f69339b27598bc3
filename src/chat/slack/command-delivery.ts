import { grammarContext, roleNames } from "../../config/grammar-context.js";
import type { Config } from "../../config/schema.js";
import { parseChatCommand } from "../../domain/chat-command.js";
import { commandEvents } from "../../domain/command-events.js";
import type { IncidentEvent } from "../../domain/incident-event.js";
import type { Delivery, Store } from "../../ports/store.js";
import { splitCategory } from "../../domain/note-category.js";
import { parseInteraction, parseSlashCommand } from "./parse.js";

/** The incident events of a stored `/incident` command (the raw form body is what was stored). */
export async function slackCommandEvents(delivery: Delivery, store: Store, config: Config): Promise<IncidentEvent[]> {
  if (delivery.id.startsWith("slack:shortcut:")) return shortcutEvents(delivery, store);
  const request = parseSlashCommand(delivery.body);
  if (request.kind !== "command") return [];
  const { command } = request;
  const parsed = parseChatCommand(command.text, grammarContext(config));
  if (!parsed.ok) throw new Error(`stored command no longer parses: ${parsed.error.split("\n")[0]}`);
  const incident = await store.findIncidentByChannel(command.channel_id);
  if (!incident && parsed.command.name !== "declare") throw new Error(`no incident has channel ${command.channel_id}`);
  return commandEvents(parsed.command, {
    id: delivery.id,
    at: delivery.receivedAt,
    source: "slack",
    actor: { id: command.user_id, name: command.user_name ?? command.user_id },
    incident,
    roleNames: roleNames(config),
    services: Object.fromEntries(config.services.map((s) => [s.key, s.name])),
  });
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
