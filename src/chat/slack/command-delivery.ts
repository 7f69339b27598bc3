import { grammarContext, roleNames } from "../../config/grammar-context.js";
import type { Config } from "../../config/schema.js";
import { parseChatCommand } from "../../domain/chat-command.js";
import { commandEvents } from "../../domain/command-events.js";
import type { IncidentEvent } from "../../domain/incident-event.js";
import type { Delivery, Store } from "../../ports/store.js";
import { parseSlashCommand } from "./parse.js";

/** The incident events of a stored `/incident` command (the raw form body is what was stored). */
export async function slackCommandEvents(delivery: Delivery, store: Store, config: Config): Promise<IncidentEvent[]> {
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
