import { grammarContext, roleNames } from "../../config/grammar-context.js";
import type { Config } from "../../config/schema.js";
import { parseChatCommand, type ChatCommand } from "../../domain/chat-command.js";
import { commandEvents, STATUS_PUBLISH, volunteerRole } from "../../domain/command-events.js";
import type { Person } from "../../domain/incident.js";
import type { IncidentEvent } from "../../domain/incident-event.js";
import { splitCategory } from "../../domain/note-category.js";
import type { Delivery, NewEffect, Store } from "../../ports/store.js";
import type { Renderer } from "../../render/renderer.js";
import { incidentView } from "../../render/incident-view.js";
import { parseMeetingTime } from "../../time/meeting-time.js";
import { formatTime } from "../../render/helpers.js";
import { acknowledgement, helpReply, mistakeReply, refusal, TRIAGE_DECLARE, TRIAGE_NOT_INCIDENT, triageText } from "./command-replies.js";
import { DECLARE_CALLBACK, readDeclareForm } from "./declare-form.js";
import { NOT_INCIDENT_CALLBACK, readNotIncidentForm } from "./not-incident-form.js";
import { parseInteraction, parseSlackEvent, parseSlashCommand } from "./parse.js";
import { mentionCommandText } from "./mention.js";
import type { SlackInteraction } from "./types.js";

export interface SlackDeliveryDeps {
  store: Store;
  config: Config;
  renderer: Renderer;
}

type Outcome = { events: IncidentEvent[]; effects: NewEffect[] };
const NOTHING: Outcome = { events: [], effects: [] };

/**
 * The incident events and effects of a stored Slack request, told apart by what Slack sent: an Events
 * API body (JSON), an interaction (a form with `payload`), or a slash command (the form itself).
 */
export async function slackDeliveryEvents(delivery: Delivery, deps: SlackDeliveryDeps): Promise<Outcome> {
  if (delivery.body.startsWith("{")) return mentionOutcome(delivery, deps);
  if (new URLSearchParams(delivery.body).has("payload")) return interactionOutcome(delivery, deps);
  const request = parseSlashCommand(delivery.body);
  if (request.kind !== "command") return NOTHING;
  const { command } = request;
  const parsed = parseChatCommand(command.text, grammarContext(deps.config));
  if (!parsed.ok) throw new Error(`stored command no longer parses: ${parsed.error.split("\n")[0]}`);
  const actor = { id: command.user_id, name: command.user_name ?? command.user_id };
  if (parsed.command.name === "not-incident") {
    const where = { channel: command.channel_id, replyUrl: command.response_url ?? null };
    return { events: [], effects: [notIncidentEffect(delivery, parsed.command.reason, actor, where, deps.renderer)] };
  }
  return recordOutcome(parsed.command, delivery, command.channel_id, actor, deps);
}

/** A command on the record: its incident events, or for the documents, the effect that publishes one. */
async function recordOutcome(command: ChatCommand, delivery: Delivery, channel: string, actor: Person, deps: SlackDeliveryDeps): Promise<Outcome> {
  if (command.name === "announce") {
    const incident = await incidentOf(channel, deps.store);
    const target = deps.config.channels[command.to];
    const text = deps.renderer.render("user-announcement", incidentView(incident, deps.config));
    const effect: NewEffect = {
      key: `${delivery.id}:announce`,
      incidentId: incident.id,
      payload: { kind: "post_message", to: { channel: target }, template: "user-announcement", text, announcement: { to: command.to } },
    };
    return { events: [], effects: [effect] };
  }
  if (command.name === "status") {
    const incident = await incidentOf(channel, deps.store);
    const payload: NewEffect["payload"] =
      command.action === "publish"
        ? { kind: "status_publish", by: actor }
        : // Of the incident as it stood when the command was given.
          { kind: "status_draft", draft: incident.status === "resolved" ? "resolution" : "incident", ...(command.text ? { message: command.text } : {}) };
    return { events: [], effects: [{ key: `${delivery.id}:status`, incidentId: incident.id, payload }] };
  }
  if (command.name === "postmortem" || command.name === "runbook") {
    const incident = await incidentOf(channel, deps.store);
    const effect: NewEffect = { key: `${delivery.id}:${command.name}`, incidentId: incident.id, payload: { kind: "publish_document", document: command.name } };
    return { events: [], effects: [effect] };
  }
  return { events: await recordEvents(command, delivery, channel, actor, deps), effects: [] };
}

/** The incident of the channel a stored command came from; it was there when the command was taken. */
async function incidentOf(channel: string, store: Store) {
  const incident = await store.findIncidentByChannel(channel);
  if (!incident) throw new Error(`no incident has channel ${channel}`);
  return incident;
}

async function recordEvents(command: ChatCommand, delivery: Delivery, channel: string, actor: Person, deps: SlackDeliveryDeps) {
  const incident = await deps.store.findIncidentByChannel(channel);
  if (!incident && command.name !== "declare") throw new Error(`no incident has channel ${channel}`);
  let meeting: { at: string; display: string } | undefined;
  if (command.name === "postmortem-schedule") {
    // Read as of when it was said ("tomorrow" stays the day after the command).
    const when = parseMeetingTime(command.when, new Date(delivery.receivedAt), deps.config.timezone);
    if (!when.ok) throw new Error(`stored meeting time no longer reads: ${when.error}`);
    meeting = { at: when.at, display: formatTime(when.at, deps.config.timezone) };
  }
  return commandEvents(command, {
    meeting,
    id: delivery.id,
    at: delivery.receivedAt,
    source: "slack",
    actor,
    incident,
    roleNames: roleNames(deps.config),
    services: Object.fromEntries(deps.config.services.map((s) => [s.key, s.name])),
  });
}

/** Not an incident (process step 1): it becomes an issue in the team's repository, linked where it was said. */
function notIncidentEffect(
  delivery: Delivery,
  reason: string,
  by: Person,
  where: { channel: string; replyUrl: string | null },
  renderer: Renderer,
): NewEffect {
  const data = { reason, by: by.name, at: delivery.receivedAt };
  return {
    key: `${delivery.id}:issue`,
    incidentId: `not-incident:${delivery.id}`,
    payload: {
      kind: "github_issue",
      title: reason.length > 80 ? `${reason.slice(0, 77)}...` : reason,
      body: renderer.render("not-an-incident-issue", data),
      labels: ["not-an-incident"],
      announce: { channel: where.channel, replyUrl: where.replyUrl, template: "not-an-incident", data: { reason } },
    },
  };
}

async function interactionOutcome(delivery: Delivery, deps: SlackDeliveryDeps): Promise<Outcome> {
  const interaction = parseInteraction(delivery.body);
  switch (interaction.kind) {
    case "message_action":
      return { events: await shortcutEvents(interaction.payload, delivery, deps.store), effects: [] };
    case "block_actions":
      return buttonOutcome(interaction.payload, delivery, deps);
    case "view_submission": {
      const { view, user } = interaction.payload;
      const actor = { id: user.id, name: user.username ?? user.name ?? user.id };
      const metadata = readMetadata(view.private_metadata);
      if (view.callback_id === DECLARE_CALLBACK) {
        const form = readDeclareForm(view.state.values, deps.config);
        if (!form.ok) throw new Error(`stored declare form does not read: ${Object.values(form.errors).join(" ")}`);
        const events = await recordEvents({ name: "declare", quick: form.details }, delivery, metadata.channel ?? "", actor, deps);
        return { events, effects: [] };
      }
      if (view.callback_id === NOT_INCIDENT_CALLBACK) {
        const reason = readNotIncidentForm(view.state.values);
        if (!reason.ok) throw new Error("stored not-incident form has no reason");
        const where = { channel: metadata.channel ?? "", replyUrl: metadata.responseUrl ?? null };
        return { events: [], effects: [notIncidentEffect(delivery, reason.reason, actor, where, deps.renderer)] };
      }
      return NOTHING;
    }
    default:
      return NOTHING;
  }
}

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

type Payload<K extends "message_action" | "block_actions"> = Extract<SlackInteraction, { kind: K }>["payload"];

/** "Add to incident log" on a message: the message, filed by whoever used the shortcut. */
async function shortcutEvents(payload: Payload<"message_action">, delivery: Delivery, store: Store): Promise<IncidentEvent[]> {
  const { channel, message, user } = payload;
  const incident = await incidentOf(channel.id, store);
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

/** "I'll lead" / "I'll scribe": the person who clicked takes the role; "Publish" publishes the status update. */
async function buttonOutcome(payload: Payload<"block_actions">, delivery: Delivery, deps: SlackDeliveryDeps): Promise<Outcome> {
  if (payload.channel && payload.actions.some((a) => a.action_id === STATUS_PUBLISH)) {
    const actor = { id: payload.user.id, name: payload.user.username ?? payload.user.name ?? payload.user.id };
    return recordOutcome({ name: "status", action: "publish" }, delivery, payload.channel.id, actor, deps);
  }
  return { events: await buttonEvents(payload, delivery, deps), effects: [] };
}

async function buttonEvents(payload: Payload<"block_actions">, delivery: Delivery, deps: SlackDeliveryDeps): Promise<IncidentEvent[]> {
  const role = payload.actions.map((a) => volunteerRole(a.action_id)).find((r) => r !== null);
  if (!role || !payload.channel) return [];
  const actor = { id: payload.user.id, name: payload.user.username ?? payload.user.name ?? payload.user.id };
  return recordEvents({ name: "assign", role, who: { kind: "me" } }, delivery, payload.channel.id, actor, deps);
}

/**
 * `@Herald <command>` in a channel: the same grammar as `/incident`, answered in the message's thread
 * (mistakes and refusals too, as a mention has no private reply).
 */
async function mentionOutcome(delivery: Delivery, deps: SlackDeliveryDeps): Promise<Outcome> {
  const request = parseSlackEvent(delivery.body);
  if (request.kind !== "app_mention") return NOTHING;
  const { event } = request;
  const prefix = "@Herald";
  const incident = await deps.store.findIncidentByChannel(event.channel);
  const reply = (text: string, buttons?: { actionId: string; label: string; value: string }[]): NewEffect => ({
    key: `${delivery.id}:reply`,
    incidentId: incident?.id ?? `mention:${delivery.id}`,
    payload: { kind: "post_message", to: { channel: event.channel, threadId: event.thread_ts ?? event.ts }, template: "reply", text, ...(buttons ? { buttons } : {}) },
  });
  const text = mentionCommandText(event.text);
  const parsed = parseChatCommand(text, grammarContext(deps.config));
  if (!parsed.ok) return { events: [], effects: [reply(mistakeReply(parsed.error, prefix))] };
  const command = parsed.command;
  if (command.name === "help") return { events: [], effects: [reply(helpReply(prefix))] };
  if (command.name === "triage") {
    const buttons = [
      { actionId: TRIAGE_DECLARE, label: "Declare an incident", value: "declare" },
      { actionId: TRIAGE_NOT_INCIDENT, label: "Not an incident", value: "not-incident" },
    ];
    return { events: [], effects: [reply(triageText(deps.config, prefix), buttons)] };
  }
  if (command.name === "declare" && !command.quick) {
    return { events: [], effects: [reply(`The declare form opens from \`/incident declare\`; here, say \`${prefix} declare <priority> <service> <title>\`.`)] };
  }
  const refused = await refusal({
    command,
    word: text.trim().split(/\s+/)[0] ?? "",
    incident,
    userId: event.user,
    config: deps.config,
    prefix,
    now: new Date(delivery.receivedAt),
    openIncidents: () => deps.store.listIncidents(),
  });
  if (refused) return { events: [], effects: [reply(refused)] };
  const actor = { id: event.user, name: event.user };
  const ack = reply(acknowledgement(command, deps.config, new Date(delivery.receivedAt)));
  if (command.name === "not-incident") {
    return { events: [], effects: [ack, notIncidentEffect(delivery, command.reason, actor, { channel: event.channel, replyUrl: null }, deps.renderer)] };
  }
  const outcome = await recordOutcome(command, delivery, event.channel, actor, deps);
  return { events: outcome.events, effects: [ack, ...outcome.effects] };
}
