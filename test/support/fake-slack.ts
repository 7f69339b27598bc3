import { Hono } from "hono";
import { dropConnection } from "./drop-connection.js";

/** One call the fake Slack Web API received. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
}

interface Fault {
  /** Take the call (a post lands) but never answer, as a call does when the caller dies mid-way. */
  hang?: boolean;
  /** Take the call (a channel is made, a post lands) but lose the answer: a 502 from on the way back. */
  lose?: boolean;
  /** Take the call but close the connection instead of answering (a reset socket, no status). */
  close?: boolean;
  status?: number;
  retryAfter?: number;
  error?: string;
  /** With `error`: each person's refusal, as conversations.invite names them (Slack adds no one then). */
  errors?: { user: string; ok: false; error: string }[];
  /** Only for a call about this channel (its `channel` argument); other calls pass it by. */
  channel?: string;
}

interface PostedMessage {
  ts: string;
  text: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Its Block Kit blocks, when it has any: what Slack shows instead of the text. */
  blocks?: unknown[];
  /** The thread it replies in (its parent's ts), when it is a reply. */
  thread_ts?: string;
  /** The files shared with it (files.completeUploadExternal), as listed messages show them. */
  files?: { id: string; name: string; title: string }[];
}

const CHANNEL_NAME = /^[a-z0-9_-]+$/;

/** The app's bot user: the creator of the channels Herald makes. */
export const HERALD_BOT_USER = "U0HERALD01";

/** The workspace's people (users.info, users.lookupByEmail). */
export const SLACK_USERS = [
  { id: "U0ADA0001", name: "ada", real_name: "Ada Lovelace", profile: { display_name: "ada", real_name: "Ada Lovelace", email: "ada@example.com" } },
  { id: "U0GRACE01", name: "grace", real_name: "Grace Hopper", profile: { display_name: "grace", real_name: "Grace Hopper", email: "grace@example.com" } },
  { id: "U0LINUS01", name: "linus", real_name: "Linus Torvalds", profile: { display_name: "", real_name: "Linus Torvalds", email: "linus@example.com" } },
];

/** Accounts deactivated since Herald may have looked them up: Slack no longer finds them. */
export const DEACTIVATED_USERS = ["U0GONE0001"];

/**
 * A fake Slack Web API that refuses what Slack would: wrong token, missing or invalid arguments,
 * bad channel names, unknown channels. Faults can be queued per method. `/__calls` lists the calls.
 */
export function createFakeSlack(options: { token: string; channels: string[]; /** Keep every call for `/__calls` (default true; a long benchmark turns it off). */ recordCalls?: boolean }) {
  const recordCalls = options.recordCalls ?? true;
  let calls: SlackCall[] = [];
  let faults: Record<string, Fault[]> = {};
  // Each channel's messages in order, and by ts (Slack finds one by its ts at once, however long the channel).
  let channels = new Map<string, { id: string; name: string; creator: string; members: Set<string>; messages: PostedMessage[]; byTs: Map<string, PostedMessage>; pins: string[] }>();
  let names = new Set<string>();
  // Channel ids count on their own, as Slack's do: a post made meanwhile (another lane's) must not
  // change which id a new room gets.
  let counter = 0;
  let channelCounter = 0;
  const addChannel = (id: string, name: string, creator: string) => {
    channels.set(id, { id, name, creator, members: new Set([creator]), messages: [], byTs: new Map(), pins: [] });
    names.add(name);
  };
  const addMessage = (channel: { messages: PostedMessage[]; byTs: Map<string, PostedMessage> }, message: PostedMessage) => {
    channel.messages.push(message);
    channel.byTs.set(message.ts, message);
  };
  // A message's ts as Slack's: the second it was posted, and a sequence that keeps it unique.
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, "0")}`;
  let hung: (() => void)[] = [];
  const reset = () => {
    hung.forEach((release) => release());
    hung = [];
    calls = [];
    faults = {};
    counter = 0;
    channelCounter = 0;
    channels = new Map();
    names = new Set();
    for (const id of options.channels) addChannel(id, id.toLowerCase(), "U0ADMIN001");
  };
  reset();

  /** The channels as Slack holds them (rooms made, including those whose answer was lost). */
  const rooms = () => [...channels.values()].map(({ id, name, creator }) => ({ id, name, creator }));

  const app = new Hono();
  app.get("/__calls", (c) => c.json(calls));
  /** What landed (not what was tried): each channel's messages in order, and the rooms. */
  app.get("/__messages", (c) =>
    c.json([...channels.values()].flatMap((ch) => ch.messages.map((m) => ({ channel: ch.id, ts: m.ts, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}), ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}), ...(m.files ? { files: m.files } : {}) })))),
  );
  app.get("/__rooms", (c) => c.json(rooms()));
  app.get("/__members/:channel", (c) => c.json([...(channels.get(c.req.param("channel"))?.members ?? [])]));
  app.post("/__reset", (c) => {
    reset();
    return c.json({ ok: true });
  });
  // A channel someone else made (its name is then taken for Herald).
  app.post("/__channel", async (c) => {
    const { name } = (await c.req.json()) as { name: string };
    const id = `C${String(++channelCounter).padStart(8, "0")}`;
    addChannel(id, name, "U0ADA0001");
    return c.json({ ok: true, id });
  });
  // Someone deletes a message in Slack (it is then not found by ts).
  app.post("/__delete/:channel/:ts", (c) => {
    const channel = channels.get(c.req.param("channel"));
    const message = channel?.byTs.get(c.req.param("ts"));
    if (!channel || !message) return c.json({ ok: false }, 404);
    channel.byTs.delete(message.ts);
    channel.messages.splice(channel.messages.indexOf(message), 1);
    return c.json({ ok: true });
  });
  app.get("/__pins/:channel", (c) => c.json(channels.get(c.req.param("channel"))?.pins ?? []));
  /** The faults queued and not yet served, by call. */
  app.get("/__faults", (c) => c.json(Object.fromEntries(Object.entries(faults).filter(([, queued]) => queued.length > 0))));
  app.post("/__fault/:method", async (c) => {
    (faults[c.req.param("method")] ??= []).push(await c.req.json());
    return c.json({ ok: true });
  });

  // A command's or click's response_url, as Slack hands them out (they live beside the Web API here).
  app.post("/response/:id", async (c) => {
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    calls.push({ method: "response_url", body: { ...body, url: c.req.path } });
    if (!body || typeof body.text !== "string" || !["in_channel", "ephemeral"].includes(String(body.response_type ?? "ephemeral"))) {
      return c.text("invalid_payload", 400);
    }
    return c.text("ok");
  });

  // files.uploadV2's second step: the file's bytes to the URL files.getUploadURLExternal gave.
  const uploads = new Map<string, { filename: string; length: number; content: string | null }>();
  app.post("/upload/:id", async (c) => {
    const upload = uploads.get(c.req.param("id"));
    if (!upload) return c.text("not found", 404);
    // The bytes raw, or as the file of a multipart form (as @slack/web-api sends them): Slack takes either.
    if ((c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
      const form = await c.req.formData();
      const file = [...form.values()].find((value): value is File => typeof value !== "string");
      if (!file) return c.text("no file in the form", 400);
      upload.content = await file.text();
    } else {
      upload.content = await c.req.text();
    }
    calls.push({ method: "upload", body: { id: c.req.param("id"), bytes: new TextEncoder().encode(upload.content).length } });
    return c.text(`OK - ${upload.content.length}`);
  });

  app.post("/api/:method", async (c) => {
    const method = c.req.param("method");
    if (c.req.header("authorization") !== `Bearer ${options.token}`) return c.json({ ok: false, error: "invalid_auth" });
    const body = await readArgs(c.req.raw);
    if (recordCalls) calls.push({ method, body });
    const queued = faults[method] ?? [];
    const at = queued.findIndex((f) => f.channel === undefined || f.channel === body.channel);
    const fault = at >= 0 ? queued.splice(at, 1)[0] : undefined;
    if (fault?.status === 429) {
      return c.json({ ok: false, error: "ratelimited" }, 429, { "Retry-After": String(fault.retryAfter ?? 1) });
    }
    if (fault?.status) return c.text("upstream trouble", fault.status as 500);
    if (fault?.error) return c.json({ ok: false, error: fault.error, ...(fault.errors ? { errors: fault.errors } : {}) });

    switch (method) {
      case "conversations.create": {
        const name = body.name;
        // Slack's checks, each with its own error: none, too long, only punctuation, other characters.
        if (typeof name !== "string" || name === "") return c.json({ ok: false, error: "invalid_name_required" });
        if (name.length > 80) return c.json({ ok: false, error: "invalid_name_maxlength", detail: "Value passed for `name` exceeded max length." });
        if (/^[-_]+$/.test(name)) return c.json({ ok: false, error: "invalid_name_punctuation" });
        if (!CHANNEL_NAME.test(name)) return c.json({ ok: false, error: "invalid_name_specials" });
        if (names.has(name)) return c.json({ ok: false, error: "name_taken" });
        const id = `C${String(++channelCounter).padStart(8, "0")}`;
        addChannel(id, name, HERALD_BOT_USER);
        // Made, but the answer is lost (a timeout, a crash mid-call).
        if (fault?.hang) await new Promise<void>((release) => hung.push(release));
        if (fault?.lose) return c.text("Bad Gateway", 502);
        if (fault?.close) return dropConnection(c);
        return c.json({ ok: true, channel: { id, name, is_channel: true, creator: HERALD_BOT_USER } });
      }
      case "conversations.list": {
        const limit = Number(body.limit ?? 100);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return c.json({ ok: false, error: "invalid_limit" });
        // Pages of `limit`, as Slack's cursor pagination gives them.
        const all = [...channels.values()];
        const start = body.cursor ? Number(Buffer.from(String(body.cursor), "base64").toString()) : 0;
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString("base64") : "";
        return c.json({ ok: true, channels: page.map((ch) => ({ id: ch.id, name: ch.name, is_channel: true, creator: ch.creator, is_archived: false })), response_metadata: { next_cursor: next } });
      }
      case "auth.test":
        return c.json({ ok: true, url: "https://example.slack.com/", team: "Example", user: "herald", team_id: "T0EXAMPLE", user_id: HERALD_BOT_USER, bot_id: "B0HERALD01" });
      case "users.info": {
        const user = SLACK_USERS.find((u) => u.id === body.user);
        return user ? c.json({ ok: true, user }) : c.json({ ok: false, error: "user_not_found" });
      }
      case "users.lookupByEmail": {
        const user = SLACK_USERS.find((u) => u.profile.email === body.email);
        return user ? c.json({ ok: true, user }) : c.json({ ok: false, error: "users_not_found" });
      }
      case "pins.add": {
        const channel = channels.get(String(body.channel ?? ""));
        if (!channel) return c.json({ ok: false, error: "channel_not_found" });
        if (!channel.byTs.has(String(body.timestamp))) return c.json({ ok: false, error: "message_not_found" });
        if (channel.pins.includes(String(body.timestamp))) return c.json({ ok: false, error: "already_pinned" });
        channel.pins.push(String(body.timestamp));
        return c.json({ ok: true });
      }
      case "chat.postMessage": {
        const channel = channels.get(String(body.channel ?? ""));
        if (!channel) return c.json({ ok: false, error: "channel_not_found" });
        if (typeof body.text !== "string" && body.blocks === undefined) return c.json({ ok: false, error: "no_text" });
        if (typeof body.text === "string" && body.text.length > 40_000) return c.json({ ok: false, error: "msg_too_long" });
        if (body.blocks !== undefined) {
          // Block Kit limits: 50 blocks, 3,000 characters a section, 25 elements and 75-character labels an actions block.
          const blocks = parseJson(body.blocks) as { type?: string; text?: { text?: string }; elements?: { text?: { text?: string }; action_id?: string }[] }[] | undefined;
          const valid =
            Array.isArray(blocks) &&
            blocks.length <= 50 &&
            blocks.every((b) =>
              b.type === "section"
                ? typeof b.text?.text === "string" && b.text.text.length <= 3000
                : b.type === "actions"
                  ? Array.isArray(b.elements) && b.elements.length <= 25 && b.elements.every((e) => (e.text?.text?.length ?? 0) <= 75 && !!e.action_id)
                  : true,
            );
          if (!valid) return c.json({ ok: false, error: "invalid_blocks" });
        }
        const metadata = parseJson(body.metadata) as PostedMessage["metadata"];
        if (metadata && (typeof metadata.event_type !== "string" || typeof metadata.event_payload !== "object")) {
          return c.json({ ok: false, error: "invalid_metadata_format" });
        }
        const ts = nextTs();
        const blocks = parseJson(body.blocks) as unknown[] | undefined;
        const threadTs = typeof body.thread_ts === "string" && body.thread_ts !== "" ? body.thread_ts : undefined;
        addMessage(channel, { ts, text: String(body.text ?? ""), metadata, ...(blocks?.length ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}) });
        if (fault?.hang) await new Promise<void>((release) => hung.push(release));
        if (fault?.lose) return c.text("Bad Gateway", 502);
        if (fault?.close) return dropConnection(c);
        return c.json({ ok: true, channel: channel.id, ts, message: { text: body.text, ts } });
      }
      case "views.open": {
        if (typeof body.trigger_id !== "string" || body.trigger_id === "") return c.json({ ok: false, error: "invalid_trigger_id" });
        const problem = modalProblem(parseJson(body.view));
        if (problem) return c.json({ ok: false, error: "invalid_arguments", response_metadata: { messages: [problem] } });
        return c.json({ ok: true, view: { id: `V${String(++counter).padStart(8, "0")}` } });
      }
      case "files.getUploadURLExternal": {
        const length = Number(body.length);
        if (typeof body.filename !== "string" || !body.filename || !Number.isInteger(length) || length <= 0) return c.json({ ok: false, error: "invalid_arguments" });
        const id = `F${String(++counter).padStart(8, "0")}`;
        uploads.set(id, { filename: body.filename, length, content: null });
        return c.json({ ok: true, upload_url: `${new URL(c.req.url).origin}/slack/upload/${id}`, file_id: id });
      }
      case "files.completeUploadExternal": {
        const files = parseJson(body.files) as { id?: string; title?: string }[] | undefined;
        if (!Array.isArray(files) || files.length === 0) return c.json({ ok: false, error: "invalid_arguments" });
        for (const file of files) {
          const upload = uploads.get(String(file.id));
          if (!upload || upload.content === null) return c.json({ ok: false, error: "file_not_found" });
          if (new TextEncoder().encode(upload.content).length !== upload.length) return c.json({ ok: false, error: "file_length_mismatch" });
        }
        if (body.channel_id !== undefined && !channels.has(String(body.channel_id))) return c.json({ ok: false, error: "channel_not_found" });
        const channel = channels.get(String(body.channel_id));
        const ts = nextTs();
        // Shared: the message introducing the files, listed with them (their name and title), as a message
        // with files is; a lost answer leaves it shared.
        if (channel) addMessage(channel, { ts, text: String(body.initial_comment ?? ""), files: files.map((f) => ({ id: String(f.id), name: uploads.get(String(f.id))!.filename, title: f.title ?? uploads.get(String(f.id))!.filename })) });
        if (fault?.lose) return c.text("Bad Gateway", 502);
        if (fault?.close) return dropConnection(c);
        return c.json({ ok: true, files: files.map((f) => ({ id: f.id, title: f.title, content: uploads.get(String(f.id))!.content })) });
      }
      case "chat.update": {
        const channel = channels.get(String(body.channel ?? ""));
        if (!channel) return c.json({ ok: false, error: "channel_not_found" });
        const message = channel.byTs.get(String(body.ts));
        if (!message) return c.json({ ok: false, error: "message_not_found" });
        if (typeof body.text !== "string" || body.text === "") return c.json({ ok: false, error: "no_text" });
        if (body.text.length > 40_000) return c.json({ ok: false, error: "msg_too_long" });
        message.text = body.text;
        // Without `blocks` the message keeps its blocks (and shows them, not the new text); an empty array removes them.
        if (body.blocks !== undefined) {
          const blocks = parseJson(body.blocks);
          if (!Array.isArray(blocks)) return c.json({ ok: false, error: "invalid_blocks" });
          if (blocks.length) message.blocks = blocks;
          else delete message.blocks;
        }
        return c.json({ ok: true, channel: channel.id, ts: message.ts, text: body.text });
      }
      case "conversations.setTopic": {
        const channel = channels.get(String(body.channel ?? ""));
        if (!channel) return c.json({ ok: false, error: "channel_not_found" });
        if (typeof body.topic !== "string") return c.json({ ok: false, error: "invalid_arguments" });
        if (body.topic.length > 250) return c.json({ ok: false, error: "too_long" });
        return c.json({ ok: true, channel: { id: channel.id, topic: { value: body.topic } } });
      }
      case "conversations.invite": {
        const channel = channels.get(String(body.channel ?? ""));
        if (!channel) return c.json({ ok: false, error: "channel_not_found" });
        const users = String(body.users ?? "").split(",").filter(Boolean);
        if (users.length === 0) return c.json({ ok: false, error: "no_user" });
        if (users.length > 1000) return c.json({ ok: false, error: "too_many_users" });
        // Each person's refusal, named in `errors`; Slack then adds no one ("partially failed calls"),
        // unless all it refused are accounts since removed: those fail "silently", the rest are added.
        const refusals = users.flatMap((user) => {
          const error = !/^[UW][A-Z0-9]+$/.test(user) || DEACTIVATED_USERS.includes(user) ? "user_not_found" : user === HERALD_BOT_USER ? "cant_invite_self" : channel.members.has(user) ? "already_in_channel" : null;
          return error ? [{ user, ok: false, error }] : [];
        });
        if (refusals.length > 0 && refusals.every((r) => DEACTIVATED_USERS.includes(r.user))) {
          users.filter((user) => !DEACTIVATED_USERS.includes(user)).forEach((user) => channel.members.add(user));
        }
        if (refusals.length > 0) return c.json({ ok: false, error: refusals[0]!.error, errors: refusals });
        users.forEach((user) => channel.members.add(user));
        return c.json({ ok: true, channel: { id: channel.id } });
      }
      case "conversations.history": {
        const channel = channels.get(String(body.channel ?? ""));
        if (!channel) return c.json({ ok: false, error: "channel_not_found" });
        // The channel's own messages: a thread's replies are not among them (conversations.replies has them).
        const messages = channel.messages.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts).reverse();
        return c.json({ ok: true, ...listed(messages, body, 100, 999) });
      }
      case "conversations.replies": {
        // A thread, oldest first: its parent (a person's message this fake never saw is left out), then its replies.
        const channel = channels.get(String(body.channel ?? ""));
        if (!channel) return c.json({ ok: false, error: "channel_not_found" });
        const ts = String(body.ts ?? "");
        const parent = channel.byTs.get(ts);
        const replies = channel.messages.filter((m) => m.thread_ts === ts && m.ts !== ts);
        if (!parent && replies.length === 0) return c.json({ ok: false, error: "thread_not_found" });
        return c.json({ ok: true, ...listed([...(parent ? [parent] : []), ...replies], body, 1000, 1000) });
      }
      default:
        return c.json({ ok: false, error: "unknown_method" });
    }
  });

  return { app, calls: () => calls, rooms, reset };
}

/**
 * Messages as conversations.history and conversations.replies list them: those between `oldest` and
 * `latest` (each left out unless `inclusive`), `limit` of them (`byDefault` when not given, at most
 * `most`) from the `cursor` on, with `has_more` and the next cursor; metadata and blocks only when
 * `include_all_metadata` asks.
 */
function listed(messages: PostedMessage[], body: Record<string, unknown>, byDefault: number, most: number) {
  const withMetadata = body.include_all_metadata === true || body.include_all_metadata === "true";
  const inclusive = body.inclusive === true || body.inclusive === "true";
  const oldest = Number(body.oldest ?? 0);
  const latest = body.latest === undefined ? Infinity : Number(body.latest);
  const within = messages.filter((m) => {
    const ts = Number(m.ts);
    return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
  });
  const limit = Math.min(Math.max(Number(body.limit ?? byDefault) || byDefault, 1), most);
  const from = typeof body.cursor === "string" && body.cursor !== "" ? Number(atob(body.cursor).replace(/^next_ts:/, "")) : 0;
  const page = within.slice(from, from + limit);
  const more = from + limit < within.length;
  return {
    messages: page.map((m) => (withMetadata ? m : { ts: m.ts, text: m.text, thread_ts: m.thread_ts, ...(m.files ? { files: m.files } : {}) })),
    has_more: more,
    ...(more ? { response_metadata: { next_cursor: btoa(`next_ts:${from + limit}`) } } : {}),
  };
}

/** What Slack would refuse in a modal view (Block Kit's documented limits), or null. */
function modalProblem(view: unknown): string | null {
  const v = view as { type?: string; title?: { text?: string }; callback_id?: string; private_metadata?: string; blocks?: unknown[] } | undefined;
  if (!v || v.type !== "modal") return "view.type must be modal";
  if (typeof v.title?.text !== "string" || v.title.text.length > 24) return "view.title must be plain text of at most 24 characters";
  if ((v.callback_id ?? "").length > 255) return "view.callback_id is too long";
  if ((v.private_metadata ?? "").length > 3000) return "view.private_metadata is over 3000 characters";
  if (!Array.isArray(v.blocks) || v.blocks.length === 0 || v.blocks.length > 100) return "view.blocks must hold 1 to 100 blocks";
  for (const [i, block] of (v.blocks as Record<string, any>[]).entries()) {
    if (block.type !== "input") continue;
    if (typeof block.label?.text !== "string" || block.label.text.length > 2000) return `blocks[${i}].label is required`;
    if (typeof block.element?.action_id !== "string") return `blocks[${i}].element.action_id is required`;
    for (const option of block.element.options ?? []) {
      if (typeof option.value !== "string" || option.text?.text?.length > 75 || (option.description?.text?.length ?? 0) > 75) {
        return `blocks[${i}].element.options: text and description at most 75 characters, and a value`;
      }
    }
  }
  return null;
}

async function readArgs(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) return (await request.json()) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(await request.text()));
}

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
