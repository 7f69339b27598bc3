import { Hono, type Context } from "hono";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";

/** One call the fake Microsoft services received. */
export interface TeamsCall {
  service: "token" | "connector" | "graph" | "workflow";
  method: string;
  path: string;
  body: any;
}

/** A message the Bot Connector posted, as the fake keeps it. */
interface PostedMessage {
  id: string;
  replyToId: string | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
  cards: unknown[];
  replies: PostedMessage[];
}

export const TEAMS_APP_ID = "00000000-0000-0000-0000-00000000b07e";
export const TEAMS_APP_PASSWORD = "herald-test-teams-password";
export const TEAMS_TENANT_ID = "11111111-2222-3333-4444-555555555555";
export const TEAMS_TEAM_ID = "team-0001";

const ISSUER = "https://api.botframework.com";
const CARD_LIMIT = 28 * 1024;
const FORBIDDEN_CHANNEL_CHARS = /[~#%&*{}+/\\:<>?|'"]/;
const TEAM_CHANNEL = /^19:.+@thread\.(?:tacv2|skype)$/;

/**
 * Fakes of what a Teams bot talks to, checking what they receive as Microsoft documents it: Bot
 * Framework's OpenID metadata and signing keys (keys made here; `/__token` signs a token with them,
 * or with a key Bot Framework never published), the token endpoint (client credentials), the Bot
 * Connector (activities with Adaptive Cards within 28 KB, mentions with their entities), Microsoft
 * Graph's channels (50-character names, Teams' forbidden characters, a taken name refused) and
 * their messages and group chats' (what the Bot Connector posted, 50 a page at most, with each
 * card's JSON in a string; newest first by when each was last modified, which an edit or a reply
 * changes, or a chat's by when each was made if asked; refused with 403 unless the team granted
 * ChannelMessage.Read.Group, or the chat ChatMessage.Read.Chat, which `/__rsc` takes away), and
 * Workflows webhooks. Only a team's channels have threads: a post to a chat's `;messageid=` is
 * refused. Faults can be queued: `/__fault` {service, status} (`graph` for making channels,
 * `graph-read` for the lists of messages),
 * or {service: "connector", lose: true}: the post is made and its answer lost (a 502); a
 * connector fault with `conversation` waits for a post to that conversation, and one with
 * `containing` for a post whose cards have that text; a Workflows fault answers its status (with
 * `retryAfter`, a Retry-After header).
 */
export async function createFakeTeams() {
  const good = await generateKeyPair("RS256", { extractable: true });
  const stranger = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(good.publicKey)), kid: "herald-test-key", use: "sig", alg: "RS256", endorsements: ["msteams"] };
  // A key Bot Framework starts publishing later (a rotation), and one endorsed for another channel only.
  const next = await generateKeyPair("RS256", { extractable: true });
  const nextJwk = { ...(await exportJWK(next.publicKey)), kid: "herald-test-key-2", use: "sig", alg: "RS256", endorsements: ["msteams"] };
  const webchat = await generateKeyPair("RS256", { extractable: true });
  const webchatJwk = { ...(await exportJWK(webchat.publicKey)), kid: "webchat-only", use: "sig", alg: "RS256", endorsements: ["webchat"] };
  let rotated = false;
  // Access tokens carry their generation; `/__revoke` starts a new one, and older tokens are refused
  // (a token revoked, or the app's secret rotated, before it expires).
  let generation = 0;
  let jwksFetches = 0;
  let calls: TeamsCall[] = [];
  let counter = 0;
  let channels: { id: string; displayName: string; description: string }[] = [];
  let faults: Record<string, { status?: number; retryAfter?: number; lose?: boolean; conversation?: string; containing?: string }[]> = {};
  // What the Bot Connector posted, by channel (the conversation id before `;messageid=`): the
  // channel's own messages in the order posted, each with its replies.
  let posted = new Map<string, PostedMessage[]>();
  let canReadMessages = true;
  let canReadChats = true;
  const reset = () => {
    calls = [];
    counter = 0;
    channels = [];
    faults = {};
    posted = new Map();
    canReadMessages = true;
    canReadChats = true;
    rotated = false;
    generation = 0;
    jwksFetches = 0;
  };

  const app = new Hono();
  app.get("/__calls", (c) => c.json(calls));
  app.post("/__reset", (c) => {
    reset();
    return c.json({ ok: true });
  });
  app.post("/__revoke", (c) => {
    generation++;
    return c.json({ ok: true });
  });
  app.post("/__rotate", (c) => {
    rotated = true;
    return c.json({ ok: true });
  });
  app.get("/__jwks_fetches", (c) => c.json({ fetches: jwksFetches }));
  // A channel someone made in the team (its name is then taken for Herald, and the room is not Herald's).
  app.post("/__channel", async (c) => {
    const { name } = (await c.req.json()) as { name: string };
    const channel = { id: `19:channel${++counter}@thread.tacv2`, displayName: name, description: "" };
    channels.push(channel);
    return c.json(channel);
  });
  /** The faults queued and not yet served, by service. */
  app.get("/__faults", (c) => c.json(Object.fromEntries(Object.entries(faults).filter(([, queued]) => queued.length > 0))));
  app.post("/__fault", async (c) => {
    const { service, status, retryAfter, lose, conversation, containing } = (await c.req.json()) as {
      service: string;
      status?: number;
      retryAfter?: number;
      lose?: boolean;
      conversation?: string;
      containing?: string;
    };
    (faults[service] ??= []).push({ status, retryAfter, lose, conversation, containing });
    return c.json({ ok: true });
  });
  // The team's grant of ChannelMessage.Read.Group, and the chats' of ChatMessage.Read.Chat
  // (resource-specific consent), taken away or given.
  app.post("/__rsc", async (c) => {
    const grants = (await c.req.json()) as { channelMessages?: boolean; chatMessages?: boolean };
    canReadMessages = grants.channelMessages ?? canReadMessages;
    canReadChats = grants.chatMessages ?? canReadChats;
    return c.json({ ok: true });
  });
  // Messages people posted in a channel `minutesAgo` and edited (or reacted to) just now: old, but listed first.
  app.post("/__old_messages", async (c) => {
    const { channel, count, minutesAgo } = (await c.req.json()) as { channel: string; count: number; minutesAgo: number };
    const roots = posted.get(channel) ?? [];
    posted.set(channel, roots);
    const made = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    for (let i = 0; i < count; i++) roots.push({ id: `1600000000${String(++counter).padStart(3, "0")}`, replyToId: null, createdDateTime: made, lastModifiedDateTime: new Date().toISOString(), cards: [], replies: [] });
    return c.json({ ok: true });
  });
  // Every message posted so far, roots and replies, for tests to count.
  app.get("/__posted", (c) => c.json([...posted.entries()].flatMap(([channel, roots]) => roots.flatMap((m) => [{ channel, ...m, replies: undefined }, ...m.replies.map((r) => ({ channel, ...r, replies: undefined }))]))));
  // A token as Bot Framework signs one; overrides make it wrong in one way at a time.
  app.post("/__token", async (c) => {
    const o = (await c.req.json()) as { serviceUrl: string; audience?: string; issuer?: string; expiresIn?: number; unknownKey?: boolean; key?: "next" | "webchat" };
    const now = Math.floor(Date.now() / 1000);
    const key: CryptoKey = o.unknownKey ? stranger.privateKey : o.key === "next" ? next.privateKey : o.key === "webchat" ? webchat.privateKey : good.privateKey;
    const kid = o.unknownKey ? "not-published" : o.key === "next" ? nextJwk.kid : o.key === "webchat" ? webchatJwk.kid : jwk.kid;
    const token = await new SignJWT({ serviceurl: o.serviceUrl })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(o.issuer ?? ISSUER)
      .setAudience(o.audience ?? TEAMS_APP_ID)
      .setIssuedAt(now - 10)
      .setNotBefore(now - 10)
      .setExpirationTime(now + (o.expiresIn ?? 3600))
      .sign(key);
    return c.json({ token });
  });

  app.get("/openid", (c) => {
    const origin = new URL(c.req.url).origin;
    return c.json({ issuer: ISSUER, jwks_uri: `${origin}/teams/jwks`, id_token_signing_alg_values_supported: ["RS256"] });
  });
  app.get("/jwks", (c) => {
    jwksFetches++;
    return c.json({ keys: rotated ? [jwk, nextJwk, webchatJwk] : [jwk, webchatJwk] });
  });

  // Client credentials: the app's id and password, for Bot Framework or Graph.
  app.post("/login/:tenant/oauth2/v2.0/token", async (c) => {
    const form = new URLSearchParams(await c.req.text());
    calls.push({ service: "token", method: "POST", path: c.req.path, body: { ...Object.fromEntries(form), client_secret: form.get("client_secret") ? "(given)" : null } });
    if (form.get("grant_type") !== "client_credentials") return c.json({ error: "unsupported_grant_type" }, 400);
    if (form.get("client_id") !== TEAMS_APP_ID || form.get("client_secret") !== TEAMS_APP_PASSWORD) return c.json({ error: "invalid_client" }, 401);
    const scope = form.get("scope");
    if (scope !== "https://api.botframework.com/.default" && scope !== "https://graph.microsoft.com/.default") return c.json({ error: "invalid_scope" }, 400);
    if (scope.includes("graph") && c.req.param("tenant") !== TEAMS_TENANT_ID) return c.json({ error: "invalid_request" }, 400);
    return c.json({ token_type: "Bearer", expires_in: 3599, access_token: `token-for-${scope.includes("graph") ? "graph" : "bot"}-${generation}` });
  });

  const problem = (activity: any): string | null => {
    if (activity?.type !== "message") return "activity.type must be message";
    const attachments = activity.attachments;
    if (!Array.isArray(attachments) || attachments.length === 0) return typeof activity.text === "string" ? null : "a message needs text or attachments";
    for (const a of attachments) {
      if (a.contentType !== "application/vnd.microsoft.card.adaptive") return "attachments must be Adaptive Cards";
      const card = a.content;
      if (card?.type !== "AdaptiveCard" || !/^1\.[0-5]$/.test(String(card.version))) return "an Adaptive Card of version 1.0 to 1.5";
      if (new TextEncoder().encode(JSON.stringify(card)).byteLength > CARD_LIMIT) return "the card is over 28 KB";
      const texts = JSON.stringify(card.body);
      for (const m of card.msteams?.entities ?? []) {
        if (m.type !== "mention" || !texts.includes(JSON.stringify(m.text).slice(1, -1)) || !m.mentioned?.id) return "a mention entity must match <at> text in the card";
      }
    }
    return null;
  };
  const bearer = (c: { req: { header(name: string): string | undefined } }, who: "bot" | "graph") => c.req.header("authorization") === `Bearer token-for-${who}-${generation}`;

  // The Bot Connector, at the serviceUrl Teams gives in activities.
  app.post("/connector/v3/conversations/:conversation/activities", async (c) => {
    const body = await c.req.json().catch(() => null);
    calls.push({ service: "connector", method: "POST", path: c.req.path, body });
    if (!bearer(c, "bot")) return c.json({ error: { code: "Unauthorized", message: "bad token" } }, 401);
    // The first fault queued for this conversation (or any), and for a card with this text (or any).
    const queued = faults.connector ?? [];
    const next = queued.findIndex(
      (f) => (f.conversation === undefined || f.conversation === c.req.param("conversation")) && (f.containing === undefined || JSON.stringify(body?.attachments ?? []).includes(f.containing)),
    );
    const fault = next >= 0 ? queued.splice(next, 1)[0] : undefined;
    if (fault && !fault.lose) {
      return c.json({ error: { code: fault.status === 429 ? "TooManyRequests" : "ServiceError" } }, fault.status as 500, fault.retryAfter ? { "retry-after": String(fault.retryAfter) } : {});
    }
    const wrong = problem(body);
    if (wrong) return c.json({ error: { code: "BadArgument", message: wrong } }, 400);
    const [channel, root] = c.req.param("conversation").split(";messageid=") as [string, string | undefined];
    if (root !== undefined && !TEAM_CHANNEL.test(channel)) return c.json({ error: { code: "BadArgument", message: "Threads are a team channel's only" } }, 400);
    const roots = posted.get(channel) ?? [];
    posted.set(channel, roots);
    const at = new Date().toISOString();
    // A reply's root may be a person's message, which Teams has and this fake never saw: kept as one without cards.
    let parent = root === undefined ? null : roots.find((m) => m.id === root);
    if (parent === undefined) roots.push((parent = { id: root!, replyToId: null, createdDateTime: at, lastModifiedDateTime: at, cards: [], replies: [] }));
    const id = `1700000000${String(++counter).padStart(3, "0")}`;
    const message: PostedMessage = { id, replyToId: root ?? null, createdDateTime: at, lastModifiedDateTime: at, cards: (body.attachments ?? []).map((a: { content: unknown }) => a.content), replies: [] };
    if (parent) {
      parent.replies.push(message);
      parent.lastModifiedDateTime = at;
    } else roots.push(message);
    if (fault?.lose) return c.text("Bad Gateway", 502);
    return c.json({ id }, 201);
  });
  app.put("/connector/v3/conversations/:conversation/activities/:activity", async (c) => {
    const body = await c.req.json().catch(() => null);
    calls.push({ service: "connector", method: "PUT", path: c.req.path, body });
    if (!bearer(c, "bot")) return c.json({ error: { code: "Unauthorized" } }, 401);
    const wrong = problem(body);
    if (wrong) return c.json({ error: { code: "BadArgument", message: wrong } }, 400);
    const channel = c.req.param("conversation").split(";")[0]!;
    const message = (posted.get(channel) ?? []).flatMap((m) => [m, ...m.replies]).find((m) => m.id === c.req.param("activity"));
    if (message) {
      message.cards = body.attachments.map((a: { content: unknown }) => a.content);
      message.lastModifiedDateTime = new Date().toISOString();
    }
    return c.json({ id: c.req.param("activity") });
  });

  // Microsoft Graph: a team's channels.
  app.post("/graph/teams/:team/channels", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { displayName?: unknown; description?: unknown; membershipType?: unknown } | null;
    calls.push({ service: "graph", method: "POST", path: c.req.path, body });
    if (!bearer(c, "graph")) return c.json({ error: { code: "InvalidAuthenticationToken" } }, 401);
    const fault = faults.graph?.shift();
    if (fault) return c.json({ error: { code: fault.status === 403 ? "Forbidden" : "ServiceError", message: "fault" } }, fault.status as 403);
    if (c.req.param("team") !== TEAMS_TEAM_ID) return c.json({ error: { code: "NotFound" } }, 404);
    const name = body?.displayName;
    if (typeof name !== "string" || name.length === 0 || name.length > 50 || FORBIDDEN_CHANNEL_CHARS.test(name) || /^[_.]|\.$/.test(name)) {
      return c.json({ error: { code: "BadRequest", message: "displayName is invalid" } }, 400);
    }
    if (channels.some((ch) => ch.displayName.toLowerCase() === name.toLowerCase())) return c.json({ error: { code: "NameAlreadyExists", message: "Channel name already existed" } }, 400);
    const channel = { id: `19:channel${++counter}@thread.tacv2`, displayName: name, description: String(body?.description ?? "") };
    channels.push(channel);
    return c.json({ ...channel, membershipType: body?.membershipType ?? "standard" }, 201);
  });
  app.get("/graph/teams/:team/channels", (c) => {
    calls.push({ service: "graph", method: "GET", path: c.req.path, body: null });
    if (!bearer(c, "graph")) return c.json({ error: { code: "InvalidAuthenticationToken" } }, 401);
    const filter = /displayName eq '((?:[^']|'')*)'/.exec(c.req.query("$filter") ?? "")?.[1]?.replace(/''/g, "'");
    return c.json({ value: channels.filter((ch) => filter === undefined || ch.displayName === filter) });
  });

  /** A message as Graph lists it (chatMessage), each card as its JSON in a string. */
  const asGraph = (m: PostedMessage, where: { channel: string } | { chat: string }) => ({
    id: m.id,
    replyToId: m.replyToId,
    etag: m.id,
    messageType: "message",
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.lastModifiedDateTime,
    lastEditedDateTime: m.lastModifiedDateTime === m.createdDateTime ? null : m.lastModifiedDateTime,
    deletedDateTime: null,
    subject: null,
    summary: null,
    chatId: "chat" in where ? where.chat : null,
    importance: "normal",
    locale: "en-us",
    from: { application: { id: TEAMS_APP_ID, displayName: "Herald", applicationIdentityType: "bot" }, device: null, user: null },
    body: { contentType: "html", content: m.cards.map((_, i) => `<attachment id="${m.id}-${i}"></attachment>`).join("") },
    channelIdentity: "channel" in where ? { teamId: TEAMS_TEAM_ID, channelId: where.channel } : null,
    attachments: m.cards.map((card, i) => ({ id: `${m.id}-${i}`, contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: JSON.stringify(card), name: null, thumbnailUrl: null })),
    mentions: [],
    reactions: [],
  });
  /** One page of a list, newest first: `$top` 20 by default and 50 at most; the next page's link carries where it starts (Graph's skip token is opaque; this one is an offset). */
  const graphPage = (c: Context, newestFirst: PostedMessage[], where: { channel: string } | { chat: string }) => {
    const top = Number(c.req.query("$top") ?? 20);
    if (!Number.isInteger(top) || top < 1 || top > 50) return c.json({ error: { code: "BadRequest", message: "Invalid page size: $top is 1 to 50" } }, 400);
    const orderby = c.req.query("$orderby");
    const from = Number(c.req.query("$skiptoken") ?? 0) || 0;
    const page = newestFirst.slice(from, from + top);
    const more = from + top < newestFirst.length;
    return c.json({
      "@odata.count": page.length,
      value: page.map((m) => asGraph(m, where)),
      ...(more ? { "@odata.nextLink": `${new URL(c.req.url).origin}${c.req.path}?$top=${top}${orderby ? `&$orderby=${encodeURIComponent(orderby)}` : ""}&$skiptoken=${from + top}` } : {}),
    });
  };

  /** Newest first by when each was last modified, as Graph lists a channel's messages (an edit, a reply or a reaction brings one up). */
  const byLastModified = (messages: PostedMessage[]) => [...messages].reverse().sort((a, b) => b.lastModifiedDateTime.localeCompare(a.lastModifiedDateTime));

  // Microsoft Graph: a channel's messages (without their replies), and one message's replies; newest first.
  /** A fault queued for Graph's lists of messages (`service: "graph-read"`), answered as Graph answers one. */
  const readFault = (c: Context) => {
    const fault = faults["graph-read"]?.shift();
    if (!fault) return null;
    const code = fault.status === 429 ? "TooManyRequests" : fault.status === 503 ? "ServiceNotAvailable" : "UnknownError";
    return c.json({ error: { code, message: "fault" } }, fault.status as 429, fault.retryAfter ? { "retry-after": String(fault.retryAfter) } : {});
  };
  const listMessages = (c: Context, replies: boolean) => {
    calls.push({ service: "graph", method: "GET", path: c.req.path, body: null });
    if (!bearer(c, "graph")) return c.json({ error: { code: "InvalidAuthenticationToken" } }, 401);
    const fault = readFault(c);
    if (fault) return fault;
    if (c.req.param("team") !== TEAMS_TEAM_ID) return c.json({ error: { code: "NotFound", message: "No team found" } }, 404);
    if (!canReadMessages) {
      return c.json({ error: { code: "Forbidden", message: "Missing role permissions on the request. API requires one of 'ChannelMessage.Read.All, ChannelMessage.Read.Group, Group.Read.All, Group.ReadWrite.All'." } }, 403);
    }
    const channel = c.req.param("channel")!;
    if (!TEAM_CHANNEL.test(channel)) return c.json({ error: { code: "NotFound", message: "Channel not found" } }, 404);
    const roots = posted.get(channel) ?? [];
    const parent = replies ? roots.find((m) => m.id === c.req.param("message")) : null;
    if (parent === undefined) return c.json({ error: { code: "NotFound", message: "Message not found" } }, 404);
    return graphPage(c, byLastModified(parent ? parent.replies : roots), { channel });
  };
  app.get("/graph/teams/:team/channels/:channel/messages", (c) => listMessages(c, false));
  app.get("/graph/teams/:team/channels/:channel/messages/:message/replies", (c) => listMessages(c, true));
  // A group chat's messages: by lastModifiedDateTime (the default) or createdDateTime, descending
  // only, as Graph documents `$orderby` here.
  app.get("/graph/chats/:chat/messages", (c) => {
    calls.push({ service: "graph", method: "GET", path: `${c.req.path}${new URL(c.req.url).search}`, body: null });
    if (!bearer(c, "graph")) return c.json({ error: { code: "InvalidAuthenticationToken" } }, 401);
    const fault = readFault(c);
    if (fault) return fault;
    const chat = c.req.param("chat");
    if (!/^19:.+@thread\.v2$/.test(chat)) return c.json({ error: { code: "NotFound", message: "Chat not found" } }, 404);
    if (!canReadChats) {
      return c.json({ error: { code: "Forbidden", message: "Missing role permissions on the request. API requires one of 'ChatMessage.Read.Chat, Chat.Read.All, Chat.ReadWrite.All'." } }, 403);
    }
    const orderby = (c.req.query("$orderby") ?? "lastModifiedDateTime desc").trim();
    const by = /^(lastModifiedDateTime|createdDateTime) desc$/.exec(orderby)?.[1] as "lastModifiedDateTime" | "createdDateTime" | undefined;
    if (!by) return c.json({ error: { code: "BadRequest", message: "$orderby supports lastModifiedDateTime and createdDateTime, descending only" } }, 400);
    const messages = [...(posted.get(chat) ?? [])].reverse().sort((a, b) => b[by].localeCompare(a[by]));
    return graphPage(c, messages, { chat });
  });

  // A Workflows webhook ("When a Teams webhook request is received").
  app.post("/workflow/:name", async (c) => {
    const body = await c.req.json().catch(() => null);
    calls.push({ service: "workflow", method: "POST", path: c.req.path, body });
    const fault = faults.workflow?.shift();
    if (fault) return c.json({ error: { code: fault.status === 429 ? "TooManyRequests" : "ServiceError", message: "fault" } }, fault.status as 429, fault.retryAfter ? { "retry-after": String(fault.retryAfter) } : {});
    const wrong = problem(body);
    if (wrong) return c.json({ error: { code: "InvalidRequestContent", message: wrong } }, 400);
    return c.body(null, 202);
  });

  return { app, calls: () => calls, reset };
}
