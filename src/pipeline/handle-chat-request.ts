import { roleNames } from "../config/grammar-context.js";
import type { Config } from "../config/schema.js";
import type { ChatCommand } from "../domain/chat-command.js";
import type { ChatRequest } from "../domain/chat-request.js";
import { commandEvents, TRIAGE_BUTTONS } from "../domain/command-events.js";
import type { Incident } from "../domain/incident.js";
import type { IncidentEvent } from "../domain/incident-event.js";
import { answerAtOnce } from "../chat/answer-at-once.js";
import { helpReply, refusal, triageText } from "../chat/replies.js";
import { notIncidentId, ownWork, saidAgain, type SaidBy } from "../chat/said-again.js";
import type { ChatButton } from "../ports/chat.js";
import type { Asker, IncidentStore, NewEffect, OutboxStore } from "../ports/store.js";
import { formatTime } from "../render/helpers.js";
import { incidentView } from "../render/incident-view.js";
import type { Renderer } from "../render/renderer.js";
import { parseMeetingTime } from "../time/meeting-time.js";

export interface ChatRequestDeps {
  store: IncidentStore & Pick<OutboxStore, "effectsFor">;
  config: Config;
  renderer: Renderer;
  /** Display names of chat users by platform (cached by the platform); null where it cannot say. */
  names?: (platform: string, userId: string) => Promise<string | null>;
  log?: (line: string) => void;
}

export type Outcome = { events: IncidentEvent[]; effects: NewEffect[] };

/**
 * What a person asked in chat, on the record: the incident events it stands for and the effects it
 * asks for. The same for every platform; a request whose answer is due in its thread (a mention) is
 * checked and answered here, the others were answered by their route already.
 */
export async function handleChatRequest(stored: ChatRequest, deps: ChatRequestDeps): Promise<Outcome> {
  const request = await withDisplayNames(stored, deps);
  const incident = request.incidentId ? await deps.store.getIncident(request.incidentId) : await deps.store.findIncidentByChannel(request.place.channel);
  if (request.answer === "thread") return answerInThread(request, incident, deps);
  if (!request.asked.ok) return { events: [], effects: [] };
  // The route answered already, but a button is not checked there, and the record may have changed
  // since (a role taken meanwhile): who may do what is decided here, on the record as it is now.
  const refused = await refusal({
    command: request.asked.command,
    word: request.asked.word,
    incident,
    userId: request.actor.id,
    channel: request.place.channel,
    config: deps.config,
    prefix: request.prefix,
    now: new Date(request.receivedAt),
    openIncidents: (limit) => deps.store.openIncidents(limit),
  });
  if (refused) return { events: [], effects: [refusalEffect(request, incident, refused)] };
  const again = await saidAgain(request.asked.command, saidBy(request), deps.store);
  if (again) return { events: [], effects: [refusalEffect(request, incident, again)] };
  return recordOutcome(request.asked.command, request, incident, deps);
}

/** A refusal found in the background: to the person who asked where the platform allows, else in the channel. */
function refusalEffect(request: ChatRequest, incident: Incident | null, text: string): NewEffect {
  return { key: `${request.id}:refused`, incidentId: incident?.id ?? `request:${request.id}`, payload: { kind: "post_message", to: askerOf(request), template: "reply", text } };
}

/** Where a word for the person who asked goes: to them alone through the request's reply link, else in its thread. */
function askerOf(request: ChatRequest): Asker {
  return request.replyUrl
    ? { replyUrl: request.replyUrl, channel: request.place.channel, visibility: "requester" }
    : { channel: request.place.channel, threadId: request.place.threadId ?? undefined };
}

/** A mention: the same grammar as a command, answered in the message's thread, mistakes and refusals too. */
async function answerInThread(request: ChatRequest, incident: Incident | null, deps: ChatRequestDeps): Promise<Outcome> {
  const { prefix } = request;
  const reply = (text: string, buttons?: ChatButton[], form?: "declare"): Outcome => ({
    events: [],
    effects: [replyEffect(request, incident, text, buttons, form)],
  });
  const parsed = request.asked.ok ? ({ ok: true, command: request.asked.command } as const) : request.asked;
  const answered = await answerAtOnce(parsed, request.asked.ok ? request.asked.word : "", {
    config: deps.config,
    prefix,
    userId: request.actor.id,
    channel: request.place.channel,
    now: new Date(request.receivedAt),
    incident: async () => incident,
    openIncidents: (limit) => deps.store.openIncidents(limit),
    saidAgain: (command) => saidAgain(command, saidBy(request), deps.store),
  });
  switch (answered.kind) {
    case "mistake":
    case "refused":
    case "info":
      return reply(answered.text);
    case "help":
      return reply(helpReply(prefix));
    case "triage":
      return reply(triageText(deps.config, prefix), [...TRIAGE_BUTTONS]);
    case "form":
      // Where the platform shows forms in messages (Teams), the form comes with the answer.
      return reply(`To declare, fill in the form where this chat shows one, or say \`${prefix} declare <priority> <service> <title>\`.`, undefined, "declare");
    case "take": {
      const outcome = await recordOutcome(answered.command, request, incident, deps);
      return { events: outcome.events, effects: [replyEffect(request, incident, answered.acknowledgement), ...outcome.effects] };
    }
  }
}

function replyEffect(
  request: ChatRequest,
  incident: Incident | null,
  text: string,
  buttons?: ChatButton[],
  form?: "declare",
): NewEffect {
  return {
    key: `${request.id}:reply`,
    incidentId: incident?.id ?? `request:${request.id}`,
    payload: {
      kind: "post_message",
      to: { channel: request.place.channel, threadId: request.place.threadId ?? undefined },
      template: "reply",
      text,
      ...(buttons ? { buttons } : {}),
      ...(form ? { form } : {}),
    },
  };
}

/** A command on the record: its incident events, or the effect it asks for (documents, status page, announcements). */
async function recordOutcome(command: ChatCommand, request: ChatRequest, incident: Incident | null, deps: ChatRequestDeps): Promise<Outcome> {
  if (command.name === "not-incident") return { events: [], effects: [notIncidentEffect(request, command.reason, deps.renderer)] };
  if (command.name === "declare") return { events: recordEvents(command, request, null, deps), effects: [] };
  if (!incident) throw new Error(`no incident has channel ${request.place.channel}`);
  const effect = (suffix: string, payload: NewEffect["payload"]): Outcome => ({
    events: [],
    effects: [{ key: `${request.id}:${suffix}`, incidentId: incident.id, payload }],
  });
  switch (command.name) {
    case "announce": {
      const text = deps.renderer.render("user-announcement", incidentView(incident, deps.config));
      const to = { channel: deps.config.channels[command.to] };
      return effect("announce", { kind: "post_message", to, template: "user-announcement", text, announcement: { to: command.to } });
    }
    case "status":
      return effect(
        "status",
        command.action === "publish"
          ? { kind: "status_publish", by: request.actor, ...(command.draft ? { draft: command.draft } : {}), asker: askerOf(request) }
          : // Of the incident as it stood when the command was given.
            { kind: "status_draft", draft: incident.status === "resolved" ? "resolution" : "incident", ...(command.text ? { message: command.text } : {}), asker: askerOf(request) },
      );
    case "postmortem":
    case "runbook":
      return effect(command.name, { kind: "publish_document", document: command.name, asker: askerOf(request) });
    default:
      return { events: recordEvents(command, request, incident, deps), effects: [] };
  }
}

/**
 * The request with people named as their platform shows them: a mention carries only a user id (so
 * does the actor of some requests), which the record, the topic and the documents should not show.
 * A name that cannot be found now leaves the id, and the request is still taken.
 */
async function withDisplayNames(request: ChatRequest, deps: ChatRequestDeps): Promise<ChatRequest> {
  const lookUp = deps.names;
  if (!lookUp) return request;
  const nameOf = async (id: string) => {
    try {
      return await lookUp(request.platform, id);
    } catch (error) {
      deps.log?.(`no display name for ${request.platform} user ${id} now: ${(error as Error).message}`);
      return null;
    }
  };
  const actor = request.actor.name === request.actor.id ? { ...request.actor, name: (await nameOf(request.actor.id)) ?? request.actor.id } : request.actor;
  const asked = request.asked;
  if (asked.ok && asked.command.name === "assign" && asked.command.who.kind === "user" && !asked.command.who.name) {
    const who = asked.command.who;
    const name = await nameOf(who.id);
    if (name) return { ...request, actor, asked: { ...asked, command: { ...asked.command, who: { ...who, name } } } };
  }
  return { ...request, actor };
}

function recordEvents(command: ChatCommand, request: ChatRequest, incident: Incident | null, deps: ChatRequestDeps): IncidentEvent[] {
  let meeting: { at: string; display: string } | undefined;
  if (command.name === "postmortem-schedule") {
    // Read as of when it was said ("tomorrow" stays the day after the command).
    const when = parseMeetingTime(command.when, new Date(request.receivedAt), deps.config.timezone);
    if (!when.ok) throw new Error(`stored meeting time no longer reads: ${when.error}`);
    meeting = { at: when.at, display: formatTime(when.at, deps.config.timezone) };
  }
  return commandEvents(command, {
    meeting,
    id: request.id,
    at: request.receivedAt,
    source: request.platform,
    actor: request.actor,
    place: request.place.channel,
    incident,
    roleNames: roleNames(deps.config),
    services: Object.fromEntries(deps.config.services.map((s) => [s.key, s.name])),
  });
}

/** Who asked `request`, where and when: what `saidAgain` tells a repeat by. */
function saidBy(request: ChatRequest): SaidBy {
  return { platform: request.platform, channel: request.place.channel, actorId: request.actor.id, at: request.receivedAt, ...ownWork(request.id) };
}

/** Not an incident (process step 1): it becomes an issue in the team's repository, linked where it was said. */
function notIncidentEffect(request: ChatRequest, reason: string, renderer: Renderer): NewEffect {
  const data = { reason, by: request.actor.name, at: request.receivedAt };
  return {
    key: `${request.id}:issue`,
    incidentId: notIncidentId(saidBy(request), reason),
    payload: {
      kind: "github_issue",
      title: reason.length > 80 ? `${reason.slice(0, 77)}...` : reason,
      body: renderer.render("not-an-incident-issue", data),
      labels: ["not-an-incident"],
      announce: { channel: request.place.channel, replyUrl: request.replyUrl, template: "not-an-incident", data: { reason } },
    },
  };
}
