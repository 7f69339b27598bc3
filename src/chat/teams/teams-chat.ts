import type { ChatChannel } from "../../domain/incident.js";
import type { ChatAdapter, OutgoingMessage } from "../../ports/chat.js";
import { EffectError } from "../../ports/chat.js";
import type { Clock } from "../../ports/clock.js";
import type { PlatformStateStore } from "../../ports/store.js";
import { escapeChat } from "../../render/escape.js";
import { baseConversation } from "./activity.js";
import { cardAttachment, toAdaptiveCard } from "./card.js";
import { BOT_SCOPE, callWithToken, createTokenSource, GRAPH_SCOPE, type AppCredentials } from "./connector.js";
import { teamsRoomName } from "./room-name.js";
import type { TeamsSettings } from "./teams-settings.js";
import type { Config } from "../../config/schema.js";
import { declareCard } from "./declare-card.js";

export const TEAMS = "teams";

export interface TeamsChatOptions {
  credentials: AppCredentials;
  /** Microsoft Graph's base (https://graph.microsoft.com/v1.0); tests point it at a fake. */
  graphUrl: string;
  settings: TeamsSettings;
  /** For the declare form's services and priorities. */
  config: Config;
  state: PlatformStateStore;
  clock: Clock;
  log: (line: string) => void;
}

/** Teams' conversation ids: channels and chats (`19:…`), personal chats (`a:…`). */
export const ownsTeamsId = (id: string) => /^(?:19:|a:)/.test(id);

/** A team's channel (`19:…@thread.tacv2`, or `@thread.skype` for older ones), not a chat. */
const isTeamChannel = (id: string) => /^19:.+@thread\.(?:tacv2|skype)$/.test(id);

/** A group chat or a meeting's chat (`19:…@thread.v2`), which Graph knows by the same id. */
const isGroupChat = (id: string) => /^19:.+@thread\.v2$/.test(id);

/**
 * Herald's marks on the cards it posts, kept as the card's first element's `id`, which Graph gives
 * back with the card: a post's idempotency key, and a room thread's name. After an answer is lost
 * (a timeout, a dropped connection), the retry looks for its mark before posting again.
 */
const POST_MARK = "herald-post:";
const ROOM_MARK = "herald-room:";

/**
 * Where a post in a thread goes: a thread's own conversation id (`…;messageid=<root>`), or its root
 * message's id under the channel. Only a team's channel has threads; in a chat, the chat itself.
 */
function inThread(channel: string, threadId: string): string {
  if (threadId.includes(";messageid=")) return threadId;
  const base = baseConversation(channel);
  return isTeamChannel(base) ? `${base};messageid=${threadId}` : channel;
}

/** How far a retry looks back for its earlier post: pages of 50 (Graph's most). */
const LOOKUP_PAGES = 10;

/** A message as Graph lists a channel's (chatMessage), with what Herald reads of it. */
interface GraphMessage {
  id?: unknown;
  createdDateTime?: unknown;
  lastModifiedDateTime?: unknown;
  attachments?: { content?: unknown }[];
}

/** The mark on a card as Graph returns it (its JSON in a string), or null. */
function markOf(content: unknown): string | null {
  try {
    const card = (typeof content === "string" ? JSON.parse(content) : content) as { body?: { id?: unknown }[] } | null;
    const id = card?.body?.[0]?.id;
    return typeof id === "string" && id.startsWith("herald-") ? id : null;
  } catch {
    return null;
  }
}

/**
 * The Teams bot's adapter: posts Adaptive Cards through the Bot Connector (to the service URL the
 * conversation's own activities gave), replies in threads, updates in place. An incident's room is
 * a new channel made through Microsoft Graph (`incident_room: channel`, where permitted), or a new
 * thread in the team's incidents channel.
 */
export function createTeamsChat(options: TeamsChatOptions): ChatAdapter {
  const token = createTokenSource(options.credentials, options.clock);
  const graph = options.graphUrl.replace(/\/$/, "");

  async function serviceUrlFor(conversationId: string): Promise<string> {
    const own = await options.state.getPlatformState(TEAMS, `service-url:${baseConversation(conversationId)}`);
    const any = own ?? (await options.state.getPlatformState(TEAMS, "service-url"));
    if (typeof any !== "string") {
      // Tried again as a busy vendor is (for about an hour): once someone mentions Herald, the next try finds it.
      throw new EffectError(`no Teams activity has reached Herald yet, so the Bot Connector's address is unknown: mention Herald in the team once`, true);
    }
    return any.replace(/\/$/, "");
  }

  async function send(conversationId: string, activity: Record<string, unknown>): Promise<string> {
    const url = `${await serviceUrlFor(conversationId)}/v3/conversations/${encodeURIComponent(conversationId)}/activities`;
    const result = await callWithToken(token, BOT_SCOPE, "Bot Connector sendToConversation", url, { method: "POST", body: activity });
    if (typeof result.id !== "string") throw new EffectError("Bot Connector sendToConversation: the answer has no id", false);
    return result.id;
  }

  function message(text: string, buttons?: OutgoingMessage["buttons"], mark?: string) {
    const { card, mentions } = toAdaptiveCard(text, buttons);
    if (mark) (card.body as Record<string, unknown>[])[0]!.id = mark;
    return { type: "message", attachments: [cardAttachment(card)], ...(mentions.length ? { entities: mentions } : {}) };
  }

  /**
   * Where Graph lists a conversation's messages, newest first, 50 a page: a team's channel, or a
   * thread's replies (ChannelMessage.Read.Group, which the app package asks of the team), or a group
   * chat's (ChatMessage.Read.Chat, asked of each chat the app is added to; by when each was made,
   * as edits would move a message up Graph's default order). Null where Graph cannot look: a
   * channel without `teams.team_id`, or a personal chat, whose Bot Connector id Graph does not know.
   */
  function listingOf(conversationId: string): { url: string; grant: "team" | "chat" } | null {
    const channel = baseConversation(conversationId);
    if (isGroupChat(channel)) return { url: `${graph}/chats/${encodeURIComponent(channel)}/messages?$top=50&$orderby=createdDateTime%20desc`, grant: "chat" };
    const teamId = options.settings.team_id;
    if (!teamId || !isTeamChannel(channel)) return null;
    const root = /;messageid=([^;]+)$/.exec(conversationId)?.[1];
    return { url: `${graph}/teams/${encodeURIComponent(teamId)}/channels/${encodeURIComponent(channel)}/messages${root ? `/${encodeURIComponent(root)}/replies` : ""}?$top=50`, grant: "team" };
  }

  const toldUnreadable = new Set<"team" | "chat">();
  /**
   * Herald's marks on a conversation's messages (see listingOf), newest first, back to `since` (when
   * the effect was queued) where given; at most 10 pages (500 messages). Null when Graph cannot say
   * (no team_id, a personal chat, no permission, a request Graph refuses): then a post whose answer
   * was lost may show twice, as it would without this. Graph busy or down throws, to try again later.
   */
  async function recentMarks(conversationId: string, since?: string): Promise<{ id: string; mark: string }[] | null> {
    const listing = listingOf(conversationId);
    if (!listing) return null;
    let url: string | null = listing.url;
    const back = since ? Date.parse(since) : -Infinity;
    const marks: { id: string; mark: string }[] = [];
    try {
      for (let page = 0; url && page < LOOKUP_PAGES; page++) {
        const listed = await callWithToken(token, GRAPH_SCOPE, `Graph list ${listing.grant === "chat" ? "chat" : "channel"} messages`, url, { method: "GET" });
        const messages = Array.isArray(listed.value) ? (listed.value as GraphMessage[]) : [];
        for (const m of messages) for (const a of m.attachments ?? []) {
          const mark = markOf(a.content);
          if (mark) marks.push({ id: String(m.id), mark });
        }
        const next = typeof listed["@odata.nextLink"] === "string" ? listed["@odata.nextLink"] : null;
        // Only further back while the page still reaches `since`, and only to Graph itself (the token
        // goes with it). A channel lists its messages by when each was last modified (an edit, a
        // reply or a reaction brings an old one up), so the page's last message is judged by that
        // time: messages on later pages were modified before it, and so made before it too.
        const last = messages.at(-1);
        const reached = Date.parse(String(last?.lastModifiedDateTime ?? last?.createdDateTime ?? ""));
        url = next && new URL(next).origin === new URL(graph).origin && reached >= back ? next : null;
      }
      return marks;
    } catch (error) {
      // Graph busy or failing for now (a 429, a 5xx, no answer): the effect is tried again later
      // (after Graph's Retry-After), as Slack's lookups are, rather than posted without looking.
      if (error instanceof EffectError && error.retryable) throw error;
      const status = (error as { status?: number }).status;
      if (status !== 401 && status !== 403) options.log(`Teams: ${(error as Error).message}; a post whose answer was lost may show twice`);
      else if (!toldUnreadable.has(listing.grant)) {
        toldUnreadable.add(listing.grant);
        options.log(
          listing.grant === "team"
            ? `Teams: Graph may not read the team's channel messages (HTTP ${status}), so a post whose answer was lost may show twice: install the app package again so the team grants ChannelMessage.Read.Group`
            : `Teams: Graph may not read a group chat's messages (HTTP ${status}), so a post there whose answer was lost may show twice: add the app package's latest version to the chat so it grants ChatMessage.Read.Chat`,
        );
      }
      return null;
    }
  }

  async function threadRoom(name: string, triedBefore: boolean): Promise<ChatChannel | "name_taken"> {
    const channel = options.settings.incidents_channel;
    if (!channel) throw new EffectError("set teams.incidents_channel in herald.yaml: each incident's room is a thread there", false);
    // After a try whose answer was lost, a thread of this name may be there already: taken, as a
    // channel's name is, and findRoom tells whose.
    if (triedBefore && (await findRoomThread(name)) !== null) return "name_taken";
    const root = await send(channel, message(`:rotating_light: *Incident room: ${escapeChat(name)}*\nThis thread is the incident's room: Herald posts here, and commands said here are the incident's.`, [], `${ROOM_MARK}${name}`));
    return { id: `${baseConversation(channel)};messageid=${root}`, name };
  }

  async function findRoomThread(name: string): Promise<ChatChannel | null> {
    const channel = options.settings.incidents_channel;
    const found = channel ? (await recentMarks(channel))?.find((m) => m.mark === `${ROOM_MARK}${name}`) : undefined;
    return found ? { id: `${baseConversation(channel!)};messageid=${found.id}`, name } : null;
  }

  return {
    platform: TEAMS,
    // Rooms are standard channels or threads: everyone in the team is in them already, so an
    // invitation has nothing to do.
    capabilities: { rooms: true, topics: false, threads: true, edits: true, files: false, buttons: true, invites: true, pins: false },
    owns: ownsTeamsId,
    roomName: teamsRoomName,

    async createChannel(name, { triedBefore = false } = {}) {
      const teamId = options.settings.team_id;
      if (options.settings.incident_room === "channel" && teamId) {
        try {
          const created = await callWithToken(token, GRAPH_SCOPE, "Graph create channel", `${graph}/teams/${encodeURIComponent(teamId)}/channels`, {
            method: "POST",
            body: { displayName: name, description: "An incident's room, made by Herald.", membershipType: "standard" },
          });
          if (typeof created.id !== "string") throw new EffectError("Graph create channel: the answer has no id", false);
          return { id: created.id, name };
        } catch (error) {
          const status = (error as { status?: number }).status;
          if (status === 409 || (status === 400 && /NameAlreadyExists|already exists/i.test((error as Error).message))) return "name_taken";
          // Not permitted (no Channel.Create consent, say): a thread in the incidents channel instead.
          if (status !== 401 && status !== 403) throw error;
          options.log(`Teams: Graph may not create channels (HTTP ${status}); the incident's room is a thread instead`);
        }
      }
      return threadRoom(name, triedBefore);
    },

    async findRoom(name) {
      const teamId = options.settings.team_id;
      if (options.settings.incident_room === "channel" && teamId) {
        const filter = encodeURIComponent(`displayName eq '${name.replace(/'/g, "''")}'`);
        const found = await callWithToken(token, GRAPH_SCOPE, "Graph list channels", `${graph}/teams/${encodeURIComponent(teamId)}/channels?$filter=${filter}`, { method: "GET" });
        const [channel] = Array.isArray(found.value) ? (found.value as { id?: string; displayName?: string; description?: string }[]) : [];
        if (channel?.id) return { channel: { id: channel.id, name }, ours: channel.description === "An incident's room, made by Herald." };
      }
      // A room thread (Graph refused the channel, or rooms are threads): its mark makes it Herald's.
      const thread = await findRoomThread(name);
      return thread ? { channel: thread, ours: true } : null;
    },

    async postMessage({ channel, text, buttons, threadId, form, idempotencyKey }) {
      const activity = message(text, buttons, `${POST_MARK}${idempotencyKey}`);
      if (form === "declare") (activity.attachments as unknown[]).push(cardAttachment(declareCard(options.config)));
      const target = threadId ? inThread(channel, threadId) : channel;
      return { channel, id: await send(target, activity) };
    },

    async updateMessage(channel, messageId, text) {
      const url = `${await serviceUrlFor(channel)}/v3/conversations/${encodeURIComponent(channel)}/activities/${encodeURIComponent(messageId)}`;
      await callWithToken(token, BOT_SCOPE, "Bot Connector updateActivity", url, { method: "PUT", body: { ...message(text), id: messageId } });
    },

    async uploadFile() {
      throw new EffectError("Teams: the bot does not share files; the text is posted instead", false);
    },
    async setTopic() {
      throw new EffectError("Teams: no channel topics", false);
    },
    async invite() {
      return { refused: [] };
    },
    async pin() {},

    async displayName(userId) {
      const name = await options.state.getPlatformState(TEAMS, `name:${userId}`);
      return typeof name === "string" ? name : null;
    },
    // Finding people by email needs Graph's User.Read.All; not asked for.
    userByEmail: async () => null,
    // The Bot Connector cannot list a conversation's messages; Graph can, in a team's channels and in group chats.
    async findPosted(channel, idempotencyKey, { threadId, since } = {}) {
      const found = (await recentMarks(threadId ? inThread(channel, threadId) : channel, since))?.find((m) => m.mark === `${POST_MARK}${idempotencyKey}`);
      return found ? { channel, id: found.id } : null;
    },

    async respond(_replyUrl, channel, text) {
      await send(channel, message(text));
    },
  };
}
