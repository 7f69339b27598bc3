import { LogLevel, WebClient } from "@slack/web-api";
import type { ChatAdapter } from "../../ports/chat.js";
import { EffectError } from "../../ports/chat.js";
import { slackRoomName } from "./channel-name.js";
import { messageBlocks } from "./message-blocks.js";
import { toSlackMrkdwn } from "./slack-markup.js";

export interface SlackChatOptions {
  token: string;
  /** Base URL of the Web API, ending in `/api/`; tests point it at a fake server. */
  apiUrl?: string;
  timeoutMs?: number;
}

/** Slack's modals: opened with the trigger id of a command or click, within 3 seconds of it. */
export interface SlackViews {
  openView(triggerId: string, view: Record<string, unknown>): Promise<void>;
}

/** Where Slack's response_url links point; anything else in a request is not followed. */
const RESPONSE_URL_ORIGIN = "https://hooks.slack.com";

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
  "msg_too_long",
  "no_text",
  "restricted_action",
]);

/** The Slack chat adapter, on @slack/web-api; runs unchanged on Node and in workerd. */
export function createSlackChat(options: SlackChatOptions): ChatAdapter & SlackViews {
  const apiUrl = options.apiUrl ?? "https://slack.com/api/";
  // A fake Slack in tests serves response URLs beside its Web API.
  const replyOrigins = new Set([RESPONSE_URL_ORIGIN, new URL(apiUrl).origin]);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client = new WebClient(options.token, {
    slackApiUrl: apiUrl,
    // Herald's outbox retries with backoff and honours Retry-After itself; retries here would hide failures.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // A hung call must not hold up the pipeline; a retry first checks whether the post landed.
    timeout: timeoutMs,
    logLevel: LogLevel.ERROR,
    // workerd rejects `redirect: "error"`, which the client sets (see DESIGN.md).
    fetch: (url, init) =>
      fetch(url, { ...init, redirect: init?.redirect === "error" ? "manual" : init?.redirect }),
  });

  return {
    platform: "slack",
    capabilities: { rooms: true, topics: true, threads: true, edits: true, files: true, buttons: true, invites: true },
    // Conversation ids: C… channels, G… private ones, D… direct messages.
    owns: (channelId) => /^[CGD][A-Z0-9]{2,}$/.test(channelId),
    roomName: slackRoomName,

    async createChannel(name) {
      try {
        const result = await client.conversations.create({ name, is_private: false });
        const channel = result.channel;
        if (!channel?.id) throw new EffectError("conversations.create returned no channel", true);
        return { id: channel.id, name: channel.name ?? name };
      } catch (error) {
        if (slackErrorCode(error) === "name_taken") return "name_taken";
        throw toEffectError("conversations.create", error);
      }
    },

    async postMessage({ channel, text: markup, idempotencyKey, buttons, threadId }) {
      const text = toSlackMrkdwn(markup);
      try {
        const result = await client.chat.postMessage({
          channel,
          text,
          ...(threadId ? { thread_ts: threadId } : {}),
          ...(buttons?.length ? { blocks: messageBlocks(text, buttons) } : {}),
          unfurl_links: false,
          metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: idempotencyKey } },
        });
        return { channel: result.channel ?? channel, id: result.ts ?? "" };
      } catch (error) {
        throw toEffectError("chat.postMessage", error);
      }
    },

    async uploadFile(channel, file) {
      try {
        await client.filesUploadV2({
          channel_id: channel,
          filename: file.filename,
          title: file.title,
          content: file.content,
          initial_comment: toSlackMrkdwn(file.comment),
        });
      } catch (error) {
        throw toEffectError("files.uploadV2", error);
      }
    },

    async updateMessage(channel, messageId, text) {
      try {
        await client.chat.update({ channel, ts: messageId, text: toSlackMrkdwn(text) });
      } catch (error) {
        throw toEffectError("chat.update", error);
      }
    },

    async setTopic(channel, topic) {
      try {
        await client.conversations.setTopic({ channel, topic: topic.slice(0, 250) });
      } catch (error) {
        throw toEffectError("conversations.setTopic", error);
      }
    },

    async invite(channel, userIds) {
      try {
        await client.conversations.invite({ channel, users: userIds.join(",") });
      } catch (error) {
        // Being there already is what was wanted.
        if (slackErrorCode(error) === "already_in_channel") return;
        throw toEffectError("conversations.invite", error);
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
          body: JSON.stringify({ text: toSlackMrkdwn(text), response_type: visibility === "channel" ? "in_channel" : "ephemeral", replace_original: false }),
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

    async findPosted(channel, idempotencyKey) {
      try {
        const history = await client.conversations.history({ channel, limit: 100, include_all_metadata: true });
        const found = history.messages?.find(
          (m) => m.metadata?.event_type === METADATA_EVENT_TYPE && (m.metadata.event_payload as Record<string, unknown> | undefined)?.key === idempotencyKey,
        );
        return found?.ts ? { channel, id: found.ts } : null;
      } catch (error) {
        throw toEffectError("conversations.history", error);
      }
    },
  };
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
      return new EffectError(`${method}: HTTP ${coded.statusCode}`, (coded.statusCode ?? 500) >= 500);
    default:
      return new EffectError(`${method}: ${coded.message ?? String(error)}`, true);
  }
}
