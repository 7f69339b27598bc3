import type { Config } from "../config/schema.js";
import { incidentChannelName } from "../domain/channel-name.js";
import type { Incident, Person } from "../domain/incident.js";
import { isUrgentPriority } from "../domain/urgency.js";
import type { IncidentEvent } from "../domain/incident-event.js";
import { projectIncident } from "../domain/project-incident.js";
import { evaluateRules, type Action } from "../domain/rules.js";
import { VOLUNTEER_BUTTONS } from "../domain/command-events.js";
import { OWN_PAGERDUTY_NOTE, type Delivery, type DeliveryStore, type DueQuery, type Effect, type EffectPayload, type IncidentStore, type NewEffect, type OutboxStore, type ProcessedDelivery } from "../ports/store.js";
import type { RuleAction } from "../domain/rule-actions.js";
import { eventView, incidentView } from "../render/incident-view.js";
import { handleChatRequest } from "./handle-chat-request.js";
import type { Renderer } from "../render/renderer.js";

const USER_ANNOUNCEMENT = "user-announcement";
const INCIDENT_SUMMARY = "incident-summary";
const RESOLUTION_ANNOUNCEMENT = "resolution-announcement";
const STATUS_EVENTS = new Set(["incident.triggered", "incident.acknowledged", "incident.resolved"]);

/** Reads a stored webhook delivery of a vendor (PagerDuty) as incident events; injected by source. */
export type DeliveryReader = (body: string) => IncidentEvent[];

export interface ProcessDeps {
  store: DeliveryStore & IncidentStore & Pick<OutboxStore, "isKnownExternal" | "effectsFor">;
  /** Display names of chat users by platform (cached by the platform); null where it cannot say. */
  names?: (platform: string, userId: string) => Promise<string | null>;
  /**
   * An incident room's name as its platform would make it (Slack's lowercase and dashes, say), so
   * that the name queued, and quoted to people if the room cannot be made, is the one they would see.
   */
  roomName?: (platform: string | undefined, wanted: string) => string;
  config: Config;
  renderer: Renderer;
  newId: () => string;
  log: (line: string) => void;
  /** The webhook sources by name (pagerduty); chat requests need none, they are stored neutral. */
  sources: Readonly<Record<string, DeliveryReader>>;
}

/**
 * Puts one stored delivery on the record: projects the incident, writes the timeline entry,
 * evaluates the rules and queues their effects, all in one transaction. Safe to run twice. With
 * `due`, the due effects are read in the same round trip once it is written (the last delivery of a
 * run's turn, before the turn's effects), and returned; without, null.
 */
export async function processDelivery(delivery: Delivery, deps: ProcessDeps, now: string, due?: DueQuery): Promise<Effect[] | null> {
  const result: ProcessedDelivery = { deliveryId: delivery.id, processedAt: now, incidents: [], entries: [], effects: [] };
  try {
    const { events, effects } = delivery.request
      ? await handleChatRequest(delivery.request, deps)
      : { events: readerOf(delivery, deps)(delivery.body), effects: [] };
    result.effects.push(...effects);
    const touched = new Map<string, Incident>();
    // Incidents whose queued work needs no moving ahead, whatever this delivery does to them: new
    // ones, and those P1/P2 on the record already.
    const aheadAlready = new Set<string>();
    for (const event of events) {
      // A note Herald itself added in PagerDuty comes back as incident.annotated: it is on the log already.
      if (event.kind === "note_added" && event.source === "pagerduty" && (await isOwnNote(delivery, event.noteId, deps.store))) continue;
      const key = event.incidentId ?? event.pagerdutyIncidentId;
      if (!key) throw new Error(`${event.type} names no incident`);
      const current = touched.get(key) ?? (await deps.store.getIncident(key)) ?? (await openedByHerald(event, deps.store));
      if (!touched.has(key) && (!current || isUrgentPriority(current.priority))) aheadAlready.add(key);
      if (!current && event.incidentId && event.kind !== "incident_declared") {
        throw new Error(`incident ${event.incidentId} does not exist`);
      }
      const projected = projectIncident(current, event, current?.id ?? event.incidentId ?? deps.newId());
      const { entry } = projected;
      // A new incident without PagerDuty's number (declared in chat) gets the next of Herald's own.
      const incident = !current && projected.incident.number === null ? { ...projected.incident, number: await deps.store.nextIncidentNumber() } : projected.incident;
      touched.set(key, incident);
      result.entries.push(entry);
      // PagerDuty confirming what Herald already knows (its resolved after a resolve from chat, say)
      // goes on the log but sets off no rule a second time.
      if (event.kind === "incident_changed" && current?.status === incident.status && STATUS_EVENTS.has(event.type)) continue;
      const view = { ...incidentView(incident, deps.config), event: eventView(event, current, incident, deps.config) };
      result.effects.push(...toEffects(evaluateRules(event, incident, deps.config), event, incident, view, deps));
      // The users' announcements follow the incident: status, priority and title changes show in place.
      if (incident.announcements?.length && announcedChange(current, incident)) {
        result.effects.push({ key: `${event.id}:announcements`, incidentId: incident.id, payload: { kind: "update_announcements" } });
      }
      // The room's topic follows it too: priority, status, lead and scribe, set when the room is made
      // and on every change of them.
      const ofThisEvent = result.effects.filter((e) => e.incidentId === incident.id && e.key.startsWith(`${event.id}:`));
      const makesRoom = ofThisEvent.some((e) => e.payload.kind === "create_channel");
      const changed = Boolean(current?.channel) && topicFacts(current!) !== topicFacts(incident);
      if ((makesRoom || changed) && !ofThisEvent.some((e) => e.payload.kind === "set_topic")) {
        result.effects.push({ key: `${event.id}:topic`, incidentId: incident.id, payload: { kind: "set_topic", topic: topicOf(incident, deps) } });
      }
    }
    result.incidents = [...touched.values()];
    result.aheadAlready = [...touched].filter(([key]) => aheadAlready.has(key)).map(([, incident]) => incident.id);
  } catch (error) {
    // A stored delivery was verified and parsed once already; if it cannot be processed now, keep it
    // with the reason rather than retrying it forever, and put nothing of it on the record: a
    // half-processed delivery would leave entries and effects for incidents that were never written.
    const reason = (error as Error).message;
    deps.log(`delivery ${delivery.id} (${delivery.source}) failed and is kept aside: ${reason}`);
    return deps.store.commitProcessed({ deliveryId: delivery.id, processedAt: now, incidents: [], entries: [], effects: [], error: reason }, due);
  }
  try {
    return await deps.store.commitProcessed(result, due);
  } catch (error) {
    // What the store refuses (a value too large for D1, say) would be refused on every retry, and
    // hold up every delivery behind it: kept aside with the reason. If the store is down, this
    // throws too, and the delivery waits for the next run.
    const reason = `the store refused its changes: ${(error as Error).message}`;
    deps.log(`delivery ${delivery.id} (${delivery.source}) failed and is kept aside: ${reason}`);
    return deps.store.commitProcessed({ deliveryId: delivery.id, processedAt: now, incidents: [], entries: [], effects: [], error: reason }, due);
  }
}

/**
 * The incident Herald opened in PagerDuty that this PagerDuty event is about, found by the
 * incident_key Herald sent (its own id) when PagerDuty speaks before Herald has linked it.
 */
async function openedByHerald(event: IncidentEvent, store: IncidentStore): Promise<Incident | null> {
  const key = event.kind === "incident_changed" ? event.snapshot.incidentKey : null;
  if (!key || event.incidentId) return null;
  const incident = await store.getIncident(key);
  return incident && (!incident.pagerdutyId || incident.pagerdutyId === event.pagerdutyIncidentId) ? incident : null;
}

/** What the topic shows (priority, status, lead, scribe): compared before rendering it again. */
function topicFacts(incident: Incident): string {
  return JSON.stringify([incident.priority, incident.status, incident.roles.lead?.name ?? null, incident.roles.scribe?.name ?? null]);
}

function topicOf(incident: Incident, deps: ProcessDeps): string {
  return deps.renderer.render("channel-topic", incidentView(incident, deps.config));
}

function readerOf(delivery: Delivery, deps: ProcessDeps): DeliveryReader {
  const reader = deps.sources[delivery.source];
  if (!reader) throw new Error(`no reader for deliveries from ${delivery.source}`);
  return reader;
}

function announcedChange(before: Incident | null, after: Incident): boolean {
  return !before || before.status !== after.status || before.priority !== after.priority || before.title !== after.title || before.service?.id !== after.service?.id;
}

function toEffects(
  actions: Action[],
  event: IncidentEvent,
  incident: Incident,
  view: Record<string, unknown>,
  deps: ProcessDeps,
): NewEffect[] {
  const announced = new Map((incident.announcements ?? []).map((a) => [a.to, a]));
  // A users' announcement already out in a channel is updated in place, not posted again.
  const fresh = actions.filter((a) => !(a.kind === "post" && a.template === USER_ANNOUNCEMENT && announced.has(a.to)));
  return fresh.map((action): NewEffect => {
    if (action.kind !== "post") {
      return { key: action.key, incidentId: incident.id, payload: (EFFECT_OF[action.kind] as EffectOf<RuleAction>)({ action, event, incident, view, deps }) };
    }
    const named = deps.config.channels[action.to as keyof Config["channels"]];
    const effect: NewEffect = {
      key: action.key,
      incidentId: incident.id,
      payload: {
        kind: "post_message",
        to: action.to === "incident" ? "incident" : { channel: named ?? action.to },
        template: action.template,
        text: deps.renderer.render(action.template, view),
        ...(action.buttons === "volunteer" ? { buttons: volunteerButtons(incident.id) } : {}),
        ...(action.template === USER_ANNOUNCEMENT ? { announcement: { to: action.to } } : {}),
        // The summary stays at hand in the incident's room.
        ...(action.to === "incident" && action.template === INCIDENT_SUMMARY ? { pin: true } : {}),
      },
    };
    // The resolution goes in the announcement's thread, where users follow it.
    const thread = action.template === RESOLUTION_ANNOUNCEMENT ? announced.get(action.to) : undefined;
    if (thread && effect.payload.kind === "post_message") effect.payload.to = { channel: named ?? action.to, threadId: thread.messageId };
    return effect;
  });
}

interface ActionContext<A extends RuleAction> {
  action: A;
  event: IncidentEvent;
  incident: Incident;
  view: Record<string, unknown>;
  deps: ProcessDeps;
}

/** One person brought into the room, named so that a failed invitation can say whom it was for. */
const invitePerson = (person: Person): EffectPayload => ({ kind: "invite", userIds: [person.id], names: { [person.id]: person.name } });

/** The effect each rule action asks for (see domain/rule-actions.ts, where they are listed and when each applies). */
type EffectOf<A extends RuleAction> = (c: ActionContext<A>) => EffectPayload;
const EFFECT_OF: { [K in RuleAction["kind"]]: EffectOf<Extract<RuleAction, { kind: K }>> } = {
  create_channel: ({ incident, deps }) => {
    const wanted = incidentChannelName(deps.config.incident_channel.pattern, incident);
    return { kind: "create_channel", name: deps.roomName?.(incident.platform, wanted) ?? wanted };
  },
  invite_declarer: ({ action }) => invitePerson(action.person),
  invite_role_holder: ({ action }) => invitePerson(action.person),
  invite_assignees: ({ action }) => ({ kind: "invite_assignees", pagerdutyUserIds: action.pagerdutyUserIds }),
  invite_responder: ({ action }) => ({ kind: "invite_assignees", pagerdutyUserIds: action.pagerdutyUserIds, names: action.names }),
  set_topic: ({ view, deps }) => ({ kind: "set_topic", topic: deps.renderer.render("channel-topic", view) }),
  open_in_pagerduty: ({ incident, deps }) => {
    const service = deps.config.services.find((s) => s.key === incident.service?.id);
    return {
      kind: "pagerduty_create",
      title: incident.title,
      serviceId: service?.pagerduty_service_id ?? null,
      serviceName: service?.name ?? incident.service?.name ?? null,
      priorityId: deps.config.priorities.find((p) => p.name === incident.priority)?.pagerduty_priority_id ?? null,
      priority: incident.priority,
      // What the declarer wrote, and who declared it where.
      details: [incident.description, `Declared in chat by ${incident.declaredBy?.name ?? "someone"}${incident.number !== null ? ` as incident ${incident.number}` : ""}.`]
        .filter(Boolean)
        .join("\n\n"),
    };
  },
  // The category goes first, as PagerDuty notes that Herald reads back are filed by it.
  add_pagerduty_note: ({ event }) => ({ kind: "pagerduty_note", content: event.kind === "note_added" ? `${event.category}: ${event.text}` : "" }),
  resolve_in_pagerduty: ({ event }) => ({ kind: "pagerduty_resolve", resolution: event.kind === "resolution_recorded" ? event.note : "" }),
  raise_follow_up: ({ incident, view, deps }) => ({
    kind: "github_issue",
    title: `Permanent fix for: ${incident.title}`,
    body: deps.renderer.render("follow-up-issue", view),
    labels: ["incident-follow-up"],
  }),
  status_draft: ({ action }) => ({ kind: "status_draft", draft: action.draft }),
  postmortem_invite: () => ({ kind: "postmortem_invite" }),
};

/** The buttons that let people take the Incident Lead and Scribe roles with a click. */
function volunteerButtons(incidentId: string) {
  return Object.entries(VOLUNTEER_BUTTONS).map(([actionId, { label, role }]) => ({ actionId, label, value: incidentId, command: `${role} me` }));
}

/** Whether a note from PagerDuty is one Herald added there itself: as the page of deliveries read it, else asked. */
async function isOwnNote(delivery: Delivery, noteId: string, store: Pick<OutboxStore, "isKnownExternal">): Promise<boolean> {
  if (delivery.note === noteId && delivery.ownNote !== undefined) return delivery.ownNote;
  return store.isKnownExternal(OWN_PAGERDUTY_NOTE, noteId);
}
