import type { ChatChannel } from "../domain/incident.js";

export interface PostedMessage {
  channel: string;
  id: string;
}

export interface OutgoingMessage {
  /** A channel id, or for the team's standing channels a name the adapter can resolve. */
  channel: string;
  text: string;
  /** Stays the same on every attempt of the same post, so a retry can find an earlier landing. */
  idempotencyKey: string;
  /** Buttons under the message; each click comes back as an interaction with its action id. */
  buttons?: ChatButton[];
  /** Posts in the thread of this message (its platform id) instead of the channel itself. */
  threadId?: string;
}

/** Who sees a reply to someone's request: everyone in the channel, or only the person who asked. */
export type ReplyVisibility = "channel" | "requester";

export interface ChatButton {
  actionId: string;
  label: string;
  value: string;
}

/** The chat platform as the incident process sees it. */
export interface ChatAdapter {
  readonly platform: "slack" | "local";
  createChannel(name: string): Promise<ChatChannel | "name_taken">;
  postMessage(message: OutgoingMessage): Promise<PostedMessage>;
  /** Shares a small text file (a calendar invite, say) in a channel, with a message. */
  uploadFile(channel: string, file: { filename: string; title: string; content: string; comment: string }): Promise<void>;
  /** Replaces the text of a message Herald posted. */
  updateMessage(channel: string, messageId: string, text: string): Promise<void>;
  /** Sets the channel's topic (Slack allows 250 characters). */
  setTopic(channel: string, topic: string): Promise<void>;
  /** Adds people to a channel; someone already in it is fine. */
  invite(channel: string, userIds: string[]): Promise<void>;
  /** Looks for a message posted earlier with this idempotency key (after a crash mid-post). */
  findPosted(channel: string, idempotencyKey: string): Promise<PostedMessage | null>;
  /**
   * Answers a request through the reply link the platform gave with it (Slack's response_url), which
   * works in channels Herald is not a member of; `channel` is where the request came from.
   */
  respond(replyUrl: string, channel: string, text: string, visibility: ReplyVisibility): Promise<void>;
}

/** A failed outbound call: says whether trying again can help, and when. */
export class EffectError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "EffectError";
  }
}
