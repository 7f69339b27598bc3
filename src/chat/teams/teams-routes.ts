import { Hono, type Context } from "hono";
import { grammarContext } from "../../config/grammar-context.js";
import type { Config } from "../../config/schema.js";
import { parseChatCommand, type ChatCommand, type ParsedCommand } from "../../domain/chat-command.js";
import type { ChatRequest } from "../../domain/chat-request.js";
import { publishCommand, STATUS_PUBLISH, TRIAGE_BUTTONS, TRIAGE_NOT_INCIDENT, volunteerRole } from "../../domain/command-events.js";
import { DECLARE_SUBMIT, readDeclareCard } from "./declare-card.js";
import { splitCategory } from "../../domain/note-category.js";
import { MalformedBodyError, NotConfiguredError, SignatureError } from "../../errors.js";
import type { Background } from "../../ports/background.js";
import type { Clock } from "../../ports/clock.js";
import type { DeliveryStore, IncidentStore, OutboxStore, PlatformStateStore } from "../../ports/store.js";
import { acceptDelivery } from "../../routes/accept-delivery.js";
import { readBody, requestHeader } from "../../routes/read-body.js";
import { answerAtOnce } from "../answer-at-once.js";
import { saidAgain } from "../said-again.js";
import { helpReply, triageText } from "../replies.js";
import { activitySchema, baseConversation, mentionsOf, type Activity } from "./activity.js";
import { cardAttachment, toAdaptiveCard } from "./card.js";
import { commandText } from "./command-text.js";
import { TEAMS } from "./teams-chat.js";
import { verifyOutgoingWebhook } from "./verify-outgoing-webhook.js";

const LIMIT_BYTES = 256 * 1024;
/** How people invoke Herald in Teams. */
export const TEAMS_PREFIX = "@Herald";
const decoder = new TextDecoder();

export interface TeamsRouteDeps {
  store: DeliveryStore & IncidentStore & PlatformStateStore & Pick<OutboxStore, "effectsFor">;
  clock: Clock;
  background: Background;
  config: Config;
  /** Verifies a bot activity's Bearer token; null when no Teams bot is configured. */
  verifyBotToken: ((authorization: string | undefined, activity: { serviceUrl: string; channelId: string }) => Promise<void>) | null;
  /** The outgoing webhook's security token (base64), or null. */
  outgoingWebhookSecret: string | null;
  log: (line: string) => void;
}

/**
 * POST /teams/messages: Bot Framework activities from the Teams bot (`Authorization: Bearer`), or
 * from an outgoing webhook (`Authorization: HMAC`). Anything not verified is refused with 401 and
 * nothing is stored. The bot's commands are stored and answered in their thread from the
 * background; an outgoing webhook is answered in the same request, as Teams requires.
 */
export function teamsRoutes(deps: TeamsRouteDeps): Hono {
  const grammar = grammarContext(deps.config);
  const app = new Hono();
  app.post("/teams/messages", async (c) => {
    const raw = await readBody(c, { mediaType: "application/json", limitBytes: LIMIT_BYTES });
    const authorization = requestHeader(c, "authorization");
    if (/^HMAC\s/i.test(authorization ?? "")) return outgoingWebhook(c, raw, authorization);
    if (!deps.verifyBotToken) throw new NotConfiguredError("The Teams bot is not configured: set TEAMS_APP_ID and TEAMS_APP_PASSWORD");
    if (!/^Bearer\s/i.test(authorization ?? "")) throw new SignatureError("missing Authorization: Bearer token");
    const activity = readActivity(raw);
    if (!activity.serviceUrl) throw new SignatureError("the activity has no serviceUrl to check the token against");
    await deps.verifyBotToken(authorization, { serviceUrl: activity.serviceUrl, channelId: activity.channelId ?? "msteams" });
    await remember(activity);
    return botActivity(c, activity, decoder.decode(raw));
  });

  /** Where to reach the Bot Connector for this conversation, and people's names as Teams shows them. */
  async function remember(activity: Activity) {
    const at = deps.clock.now().toISOString();
    const conversation = activity.conversation?.id;
    if (activity.serviceUrl && conversation) {
      const key = `service-url:${baseConversation(conversation)}`;
      if ((await deps.store.getPlatformState(TEAMS, key)) !== activity.serviceUrl) {
        await deps.store.putPlatformState(TEAMS, key, activity.serviceUrl, at);
        await deps.store.putPlatformState(TEAMS, "service-url", activity.serviceUrl, at);
      }
    }
    const people = [...(activity.from?.name ? [{ id: activity.from.id, name: activity.from.name }] : []), ...mentionsOf(activity)];
    for (const person of people) {
      if ((await deps.store.getPlatformState(TEAMS, `name:${person.id}`)) !== person.name) await deps.store.putPlatformState(TEAMS, `name:${person.id}`, person.name, at);
    }
  }

  async function botActivity(c: Context, activity: Activity, body: string) {
    const conversation = activity.conversation?.id;
    const from = activity.from;
    if (!conversation || !from) return c.body(null, 200);
    const place = await placeOf(activity);
    const base = { id: `teams:${conversation}:${activity.id ?? deps.clock.now().getTime()}`, receivedAt: deps.clock.now().toISOString() };
    const request = (via: ChatRequest["via"], asked: ChatRequest["asked"], extra: Partial<ChatRequest> = {}): ChatRequest => ({
      ...base,
      platform: TEAMS,
      actor: { id: from.id, name: from.name ?? from.id },
      place,
      via,
      asked,
      answer: "thread",
      replyUrl: null,
      prefix: TEAMS_PREFIX,
      ...extra,
    });
    if (activity.type === "invoke" && activity.name === "composeExtension/submitAction") {
      // "Add to incident log" on a message: its text becomes a note, by whoever used the action.
      const payload = (activity.value as { messagePayload?: { body?: { content?: unknown } } } | undefined)?.messagePayload;
      const content = typeof payload?.body?.content === "string" ? commandText({ ...activity, text: payload.body.content, entities: [] }, null) : "";
      if (content && (await deps.store.findIncidentByChannel(place.channel))) {
        const { category, text } = splitCategory(content);
        await acceptDelivery(deps, { id: base.id, source: TEAMS, body, request: request("shortcut", { ok: true, command: { name: "note", category, text }, word: "note" }) });
        return c.json({ composeExtension: { type: "message", text: "Added to the incident log." } });
      }
      return c.json({ composeExtension: { type: "message", text: "This message is not in an incident's room." } });
    }
    if (activity.type !== "message") return c.body(null, 200);
    const clicked = activity.value as { action?: unknown; value?: unknown } | undefined;
    if (clicked && clicked.action === DECLARE_SUBMIT) {
      // The declare card, submitted: the incident, or what is wrong (answered in the thread).
      const form = readDeclareCard(clicked as Record<string, unknown>, deps.config);
      const asked: ChatRequest["asked"] = form.ok ? { ok: true, command: { name: "declare", quick: form.details }, word: "declare" } : { ok: false, error: form.error };
      await acceptDelivery(deps, { id: base.id, source: TEAMS, body, request: request("form", asked) });
      return c.body(null, 200);
    }
    if (clicked && clicked.action === TRIAGE_NOT_INCIDENT) {
      const asked: ChatRequest["asked"] = { ok: false, error: `Say why this is not an incident: \`${TEAMS_PREFIX} not-incident <reason>\` raises an issue with your reason instead.` };
      await acceptDelivery(deps, { id: base.id, source: TEAMS, body, request: request("button", asked) });
      return c.body(null, 200);
    }
    if (clicked && typeof clicked.action === "string") {
      const command = buttonCommand(clicked.action, clicked.value);
      if (!command) return c.body(null, 200);
      // A volunteer button names its incident: it is posted in the team's channel too.
      const named = command.name === "assign" && typeof clicked.value === "string" ? clicked.value : null;
      const incidentId = named && (await deps.store.getIncident(named)) ? named : undefined;
      await acceptDelivery(deps, { id: base.id, source: TEAMS, body, request: request("button", { ok: true, command, word: command.name }, incidentId ? { incidentId } : {}) });
      return c.body(null, 200);
    }
    const text = commandText(activity, activity.recipient?.id ?? null);
    const parsed = parseChatCommand(text, grammar);
    const asked: ChatRequest["asked"] = parsed.ok ? { ok: true, command: parsed.command, word: text.split(/\s+/)[0] ?? "" } : parsed;
    await acceptDelivery(deps, { id: base.id, source: TEAMS, body, request: request("mention", asked) });
    return c.body(null, 200);
  }

  /** The room a message was said in (an incident's thread or channel), and the thread to answer in. */
  async function placeOf(activity: Activity): Promise<ChatRequest["place"]> {
    const conversation = activity.conversation!.id;
    const channel = (await deps.store.findIncidentByChannel(conversation)) ? conversation : baseConversation(conversation);
    const threadId = conversation.includes(";messageid=") ? conversation : activity.conversation?.conversationType === "channel" ? (activity.id ?? null) : null;
    return { channel, threadId };
  }

  async function outgoingWebhook(c: Context, raw: Uint8Array, authorization: string | undefined) {
    if (!deps.outgoingWebhookSecret) throw new NotConfiguredError("The Teams outgoing webhook is not configured: set TEAMS_OUTGOING_WEBHOOK_SECRET");
    await verifyOutgoingWebhook(raw, authorization, deps.outgoingWebhookSecret);
    const activity = readActivity(raw);
    const from = activity.from;
    const conversation = activity.conversation?.id;
    if (activity.type !== "message" || !from || !conversation) return reply(c, "Herald takes messages that mention it.");
    // The webhook itself is the first mention.
    const webhookId = mentionsOf(activity)[0]?.id ?? null;
    const text = commandText(activity, webhookId);
    const parsed: ParsedCommand = parseChatCommand(text, grammar);
    const place = await placeOf(activity);
    const word = text.split(/\s+/)[0] ?? "";
    const now = deps.clock.now();
    const answered = await answerAtOnce(parsed, word, {
      config: deps.config,
      prefix: TEAMS_PREFIX,
      userId: from.id,
      channel: place.channel,
      now,
      incident: () => deps.store.findIncidentByChannel(place.channel),
      openIncidents: (limit) => deps.store.openIncidents(limit),
      saidAgain: (asked) => saidAgain(asked, { platform: TEAMS, channel: place.channel, actorId: from.id, at: now.toISOString() }, deps.store),
    });
    switch (answered.kind) {
      case "mistake":
      case "refused":
      case "info":
        return reply(c, answered.text);
      case "help":
        return reply(c, helpReply(TEAMS_PREFIX));
      case "triage":
        return reply(c, `${triageText(deps.config, TEAMS_PREFIX)}\n${TRIAGE_BUTTONS.map((b) => `• ${b.label}: \`${TEAMS_PREFIX} ${b.command}\``).join("\n")}`);
      case "form":
        return reply(c, `Say \`${TEAMS_PREFIX} declare <priority> <service> <title>\` (the form needs the Teams bot).`);
      case "take": {
        const id = `teams:webhook:${conversation}:${activity.id ?? deps.clock.now().getTime()}`;
        const request: ChatRequest = {
          id,
          platform: TEAMS,
          receivedAt: deps.clock.now().toISOString(),
          actor: { id: from.id, name: from.name ?? from.id },
          place,
          via: "mention",
          asked: { ok: true, command: answered.command, word },
          answer: "given",
          replyUrl: null,
          prefix: TEAMS_PREFIX,
        };
        await acceptDelivery(deps, { id, source: TEAMS, body: decoder.decode(raw), request });
        return reply(c, answered.acknowledgement);
      }
    }
  }

  return app;
}

/** An outgoing webhook's answer: the message as an Adaptive Card, in the same request. */
function reply(c: Context, markup: string) {
  const { card } = toAdaptiveCard(markup);
  return c.json({ type: "message", attachments: [cardAttachment(card)] });
}

function readActivity(raw: Uint8Array): Activity {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(raw));
  } catch {
    throw new MalformedBodyError("body is not valid JSON");
  }
  const parsed = activitySchema.safeParse(json);
  if (!parsed.success) throw new MalformedBodyError(`not a Bot Framework activity: ${parsed.error.issues[0]?.path.join(".") || "body"} ${parsed.error.issues[0]?.message ?? ""}`.trim());
  return parsed.data;
}

/** A card button's action as the command it stands for. */
function buttonCommand(action: string, value: unknown): ChatCommand | null {
  const role = volunteerRole(action);
  if (role) return { name: "assign", role, who: { kind: "me" }, takeOver: false };
  if (action === STATUS_PUBLISH) return publishCommand(value);
  const triage = TRIAGE_BUTTONS.find((b) => b.actionId === action);
  if (triage?.value === "declare") return { name: "declare", quick: null };
  return null;
}
