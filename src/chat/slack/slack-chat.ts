import type { ChatAdapter, InviteResult } from "../../ports/chat.js";
import type { Clock } from "../../ports/clock.js";
import type { PlatformStateStore } from "../../ports/store.js";
import { EffectError } from "../../ports/chat.js";
import { slackRoomName } from "./channel-name.js";
import { LeanWebClient } from "./lean-web-client.js";
import { fitText } from "../fit-text.js";
import { MESSAGE_TEXT_LIMIT, messageBlocks } from "./message-blocks.js";
import { toSlackMrkdwn } from "./slack-markup.js";

export interface SlackChatOptions {
  token: string;
  /** Base URL of the Web API, ending in `/api/`; tests point it at a fake server. */
  apiUrl?: string;
  timeoutMs?: number;
  /** Where display names found are kept between requests (a day), and the clock that ages them. */
  cache?: { store: PlatformStateStore; clock: Clock };
}

/** How long a display name found through users.info is used before it is asked again. */
const NAME_CACHE_MS = 24 * 60 * 60 * 1000;
/**
 * How long a person found by email is known without asking Slack again, and how many are kept. An
 * alert storm pages the same on-call people into incident after incident; users.lookupByEmail is
 * rate limited (Tier 3), so each is looked up once an hour at most, in this process or isolate.
 */
const EMAIL_CACHE_MS = 60 * 60 * 1000;
const EMAIL_CACHE_SIZE = 1_000;

/** Slack's modals: opened with the trigger id of a command or click, within 3 seconds of it. */
export interface SlackViews {
  openView(triggerId: string, view: Record<string, unknown>): Promise<void>;
}

/** Where Slack's response_url links point; anything else in a request is not followed. */
const RESPONSE_URL_ORIGIN = "https://hooks.slack.com";

/**
 * How far a retry looks for its earlier post: pages of 200 messages (Slack allows 999), at most 5 of
 * them, back to `since`. Each page is one Tier 3 call, made only on a retry.
 */
const LOOKUP_PAGE_SIZE = 200;
const LOOKUP_PAGES = 5;

/** What a lookup reads of a listed message (conversations.history and conversations.replies). */
type SlackMessage = { ts?: string; text?: string; metadata?: { event_type?: string; event_payload?: unknown }; files?: { name?: string; title?: string }[] };

/** Metadata event type that marks Herald's own posts, so a retry can find one that already landed. */
const METADATA_EVENT_TYPE = "herald_post";

// Slack platform errors that another attempt cannot fix.
const PERMANENT_ERRORS = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "missing_scope",
  "invalid_name",
  "invalid_name_specials",
  "invalid_name_required",
  "invalid_name_maxlength",
  "invalid_name_punctuation",
  "msg_too_long",
  "no_text",
  "restricted_action",
  // The message to edit or pin is gone (deleted by someone), or is not one Herald may edit.
  "message_not_found",
  "cant_update_message",
]);

/** The Slack chat adapter, on @slack/web-api; runs unchanged on Node and in workerd. */
export function createSlackChat(options: SlackChatOptions): ChatAdapter & SlackViews {
  const apiUrl = options.apiUrl ?? "https://slack.com/api/";
  // A fake Slack in tests serves response URLs beside its Web API.
  const replyOrigins = new Set([RESPONSE_URL_ORIGIN, new URL(apiUrl).origin]);
  const timeoutMs = options.timeoutMs ?? 10_000;
  // A hung call must not hold up the pipeline; a retry first checks whether the post landed.
  const client = new LeanWebClient(options.token, { apiUrl, timeoutMs });

  /** People found by email, oldest first (see EMAIL_CACHE_MS). */
  const byEmail = new Map<string, { id: string; at: number }>();
  let botUserId: Promise<string | null> | null = null;
  /** Herald's own user (the bot's): the creator of the channels Herald made. */
  const ownUserId = () =>
    (botUserId ??= client.auth.test().then(
      (r) => r.user_id ?? null,
      (error) => {
        botUserId = null;
        throw toEffectError("auth.test", error);
      },
    ));

  /**
   * The ts of a message in a channel (or among a thread's replies) that `matches`, back to `since`,
   * a page at a time: in an alert storm the update channel takes hundreds of posts between two tries
   * of one effect. Null when none is found within the pages read.
   */
  async function lookBack(channel: string, matches: (message: SlackMessage) => boolean, { threadId, since }: { threadId?: string; since?: string }): Promise<string | null> {
    const oldest = since ? String(Math.floor(Date.parse(since) / 1000)) : undefined;
    let cursor: string | undefined;
    try {
      for (let page = 0; page < LOOKUP_PAGES; page++) {
        const args = { channel, limit: LOOKUP_PAGE_SIZE, include_all_metadata: true, ...(oldest ? { oldest } : {}), ...(cursor ? { cursor } : {}) };
        // A thread's replies are not in the channel's history: conversations.replies has them.
        const history = threadId
          ? await client.conversations.replies({ ...args, ts: threadId }).catch((error: unknown) => {
              if (slackErrorCode(error) === "thread_not_found") return { messages: [], has_more: false, response_metadata: undefined };
              throw error;
            })
          : await client.conversations.history(args);
        const found = history.messages?.find(matches);
        if (found?.ts) return found.ts;
        cursor = history.response_metadata?.next_cursor || undefined;
        if (!history.has_more || !cursor) return null;
      }
      return null;
    } catch (error) {
      throw toEffectError(threadId ? "conversations.replies" : "conversations.history", error);
    }
  }

  return {
    platform: "slack",
    capabilities: { rooms: true, topics: true, threads: true, edits: true, files: true, buttons: true, invites: true, pins: true },
    // Conversation ids: C… channels, G… private ones, D… direct messages.
    owns: (channelId) => /^[CGD][A-Z0-9]{2,}$/.test(channelId),
    roomName: slackRoomName,

    async createChannel(name) {
      try {
        const result = await client.conversations.create({ name, is_private: false });
        const channel = result.channel;
        // Answered, but without what Slack documents: another try would make a second channel.
        if (!channel?.id) throw new EffectError("conversations.create: the answer has no channel.id", false);
        return { id: channel.id, name: channel.name ?? name };
      } catch (error) {
        if (slackErrorCode(error) === "name_taken") return "name_taken";
        throw toEffectError("conversations.create", error);
      }
    },

    async postMessage({ channel, text: markup, idempotencyKey, buttons, threadId }) {
      const text = fitText(toSlackMrkdwn(markup), MESSAGE_TEXT_LIMIT);
      try {
        const result = await client.chat.postMessage({
          channel,
          text,
          ...(threadId ? { thread_ts: threadId } : {}),
          ...(buttons?.length ? { blocks: messageBlocks(text, buttons) } : {}),
          unfurl_links: false,
          metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: idempotencyKey } },
        });
        if (!result.ts) throw new EffectError("chat.postMessage: the answer has no ts", false);
        return { channel: result.channel ?? channel, id: result.ts };
      } catch (error) {
        throw toEffectError("chat.postMessage", error);
      }
    },

    async uploadFile(channel, file, effect) {
      const comment = toSlackMrkdwn(file.comment);
      // A share carries no metadata of Herald's: after a lost answer it is known by the file's name
      // and title with the comment it was shared with (a meeting moved since has another comment).
      // Were Slack's lists ever to leave a message's files out, the invite would be shared again.
      if (effect?.triedBefore) {
        const shared = await lookBack(channel, (m) => m.text === comment && Boolean(m.files?.some((f) => f.name === file.filename && f.title === file.title)), { since: effect.since });
        if (shared) return;
      }
      try {
        await client.filesUploadV2({
          channel_id: channel,
          filename: file.filename,
          title: file.title,
          content: file.content,
          initial_comment: comment,
        });
      } catch (error) {
        throw toEffectError("files.uploadV2", error);
      }
    },

    async updateMessage(channel, messageId, text) {
      try {
        // An empty `blocks` removes the message's buttons; without it Slack would keep showing its old blocks.
        await client.chat.update({ channel, ts: messageId, text: fitText(toSlackMrkdwn(text), MESSAGE_TEXT_LIMIT), blocks: [] });
      } catch (error) {
        throw toEffectError("chat.update", error);
      }
    },

    async setTopic(channel, topic) {
      try {
        await client.conversations.setTopic({ channel, topic: fitText(topic, 250) });
      } catch (error) {
        throw toEffectError("conversations.setTopic", error);
      }
    },

    async invite(channel, userIds) {
      const refused: InviteResult["refused"] = [];
      let asking = [...new Set(userIds)];
      // Slack adds no one when it refuses anyone, and names each one it refused: those are set
      // apart and the rest asked again, so one deactivated account cannot keep everyone out.
      while (asking.length > 0) {
        try {
          await client.conversations.invite({ channel, users: asking.join(",") });
          break;
        } catch (error) {
          const named = refusedPeople(error, asking);
          if (!named) throw toEffectError("conversations.invite", error);
          for (const { user, error: code } of named) {
            // Being there already is what was wanted (Herald itself counts as there).
            if (code !== "already_in_channel" && code !== "cant_invite_self") refused.push({ userId: user, reason: INVITE_REFUSALS[code] ?? `Slack answered ${code}` });
          }
          asking = asking.filter((user) => !named.some((n) => n.user === user));
        }
      }
      // A person kept by email who is gone from Slack is looked up again next time.
      for (const { userId } of refused) for (const [email, known] of byEmail) if (known.id === userId) byEmail.delete(email);
      return { refused };
    },

    async findRoom(name) {
      try {
        let cursor: string | undefined;
        do {
          const page = await client.conversations.list({ types: "public_channel", exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
          const found = page.channels?.find((ch) => ch.name === name);
          if (found?.id) return { channel: { id: found.id, name }, ours: found.creator === (await ownUserId()) };
          cursor = page.response_metadata?.next_cursor || undefined;
        } while (cursor);
        return null;
      } catch (error) {
        throw toEffectError("conversations.list", error);
      }
    },

    async pin(channel, messageId) {
      try {
        await client.pins.add({ channel, timestamp: messageId });
      } catch (error) {
        if (slackErrorCode(error) === "already_pinned") return;
        throw toEffectError("pins.add", error);
      }
    },

    async displayName(userId) {
      const key = `name:${userId}`;
      const now = options.cache?.clock.now().getTime() ?? 0;
      const cached = (await options.cache?.store.getPlatformState("slack", key)) as { name: string; at: number } | null | undefined;
      if (cached && now - cached.at < NAME_CACHE_MS) return cached.name;
      try {
        const { user } = await client.users.info({ user: userId });
        const name = user?.profile?.display_name || user?.profile?.real_name || user?.real_name || user?.name || null;
        if (name && options.cache) await options.cache.store.putPlatformState("slack", key, { name, at: now }, new Date(now).toISOString());
        return name;
      } catch (error) {
        if (slackErrorCode(error) === "user_not_found") return null;
        // A name kept earlier is better than none while Slack cannot answer.
        if (cached) return cached.name;
        throw toEffectError("users.info", error);
      }
    },

    async userByEmail(email) {
      const now = options.cache?.clock.now().getTime() ?? Date.now();
      const known = byEmail.get(email);
      if (known && now - known.at < EMAIL_CACHE_MS) return known.id;
      try {
        const { user } = await client.users.lookupByEmail({ email });
        // Someone not found is asked for again next time: they may have joined meanwhile.
        if (user?.id) {
          byEmail.delete(email);
          if (byEmail.size >= EMAIL_CACHE_SIZE) byEmail.delete(byEmail.keys().next().value!);
          byEmail.set(email, { id: user.id, at: now });
        }
        return user?.id ?? null;
      } catch (error) {
        if (slackErrorCode(error) === "users_not_found") return null;
        throw toEffectError("users.lookupByEmail", error);
      }
    },

    async openView(triggerId, view) {
      try {
        await client.views.open({ trigger_id: triggerId, view: view as never });
      } catch (error) {
        throw toEffectError("views.open", error);
      }
    },

    async respond(replyUrl, _channel, text, visibility) {
      let url: URL;
      try {
        url = new URL(replyUrl);
      } catch {
        throw new EffectError("response_url is not a URL", false);
      }
      if (!replyOrigins.has(url.origin)) throw new EffectError(`response_url points outside Slack (${url.origin})`, false);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: fitText(toSlackMrkdwn(text), MESSAGE_TEXT_LIMIT), response_type: visibility === "channel" ? "in_channel" : "ephemeral", replace_original: false }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new EffectError(`response_url: ${(error as Error).message}`, true);
      }
      if (response.ok) return;
      const reason = (await response.text()).slice(0, 100);
      // An expired or used-up link (30 minutes, a few posts) stays so; a busy Slack may not.
      const retryAfter = Number(response.headers.get("retry-after")) || undefined;
      throw new EffectError(`response_url: HTTP ${response.status} ${reason}`, response.status === 429 || response.status >= 500, retryAfter);
    },

    async findPosted(channel, idempotencyKey, { threadId, since } = {}) {
      const found = await lookBack(
        channel,
        (m) => m.metadata?.event_type === METADATA_EVENT_TYPE && (m.metadata.event_payload as Record<string, unknown> | undefined)?.key === idempotencyKey,
        { threadId, since },
      );
      return found ? { channel, id: found } : null;
    },
  };
}

/**
 * conversations.invite's refusals of one person, not of the call, in words for the room (Slack's
 * method reference). A refused call names each person in `errors`, whatever the reason (one this
 * list lacks is said as Slack's code); with one person asked, the call's own `error` is that
 * person's when it is one of these.
 */
const INVITE_REFUSALS: Record<string, string> = {
  already_in_channel: "already in the channel",
  cant_invite_self: "Herald itself",
  user_not_found: "Slack has no such person (deactivated, or removed from the workspace)",
  cant_invite: "Slack will not let them be invited here",
  user_is_bot: "a bot, which Herald may not invite",
  user_is_restricted: "a guest account, which cannot join this channel",
  user_is_ultra_restricted: "a single-channel guest, who cannot join this channel",
  ura_max_channels: "a single-channel guest, already in their one channel",
  no_external_invite_permission: "from outside the workspace, which Herald may not invite",
  invitee_cant_see_channel: "in a workspace this channel is not shared with",
};

/** The people a refused invitation names, each with Slack's reason; null when Slack refused the call itself. */
function refusedPeople(error: unknown, asked: string[]): { user: string; error: string }[] | null {
  const data = (error as { data?: { error?: unknown; errors?: unknown } }).data;
  if (Array.isArray(data?.errors)) {
    const named = data.errors.filter(
      (e): e is { user: string; error: string } => typeof e?.user === "string" && asked.includes(e.user) && typeof e?.error === "string",
    );
    return named.length > 0 ? named : null;
  }
  const code = slackErrorCode(error);
  return asked.length === 1 && code !== null && code in INVITE_REFUSALS ? [{ user: asked[0]!, error: code }] : null;
}

function slackErrorCode(error: unknown): string | null {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === "string" ? data.error : null;
}

function toEffectError(method: string, error: unknown): EffectError {
  if (error instanceof EffectError) return error;
  const coded = error as { code?: string; retryAfter?: number; statusCode?: number; message?: string };
  switch (coded.code) {
    case "slack_webapi_rate_limited_error":
      return new EffectError(`${method}: rate limited`, true, coded.retryAfter);
    case "slack_webapi_platform_error": {
      const code = slackErrorCode(error) ?? "unknown_error";
      return new EffectError(`${method}: ${code}`, !PERMANENT_ERRORS.has(code));
    }
    case "slack_webapi_http_error":
      // A 429 without a usable Retry-After is still a rate limit.
      return new EffectError(`${method}: HTTP ${coded.statusCode}`, coded.statusCode === 429 || (coded.statusCode ?? 500) >= 500);
    default:
      return new EffectError(`${method}: ${coded.message ?? String(error)}`, true);
  }
}
