import type { ChatChannel } from "../domain/incident.js";

export interface PostedMessage {
  channel: string;
  id: string;
}

/** A message as Herald says it, before any platform renders it. */
export interface OutgoingMessage {
  /** A channel id, or for the team's standing channels a name the adapter can resolve. */
  channel: string;
  /** In Herald's chat markup (render/escape.ts); each platform renders it for itself. */
  text: string;
  /** Stays the same on every attempt of the same post, so a retry can find an earlier landing. */
  idempotencyKey: string;
  /** Buttons under the message; each click comes back as an interaction with its action id. */
  buttons?: ChatButton[];
  /** Posts in the thread of this message (its platform id) instead of the channel itself. */
  threadId?: string;
  /**
   * A form to fill in with the message, where the platform shows forms in messages (Teams' cards);
   * elsewhere the text alone says what to type instead.
   */
  form?: "declare";
}

/** Who sees a reply to someone's request: everyone in the channel, or only the person who asked. */
export type ReplyVisibility = "channel" | "requester";

export interface ChatButton {
  actionId: string;
  label: string;
  value: string;
  /** What a person types instead, where a platform shows no buttons (`lead me`). */
  command?: string;
}

/**
 * What a platform can do. Where one cannot, Herald does the nearest thing and tells the channel what
 * a person should do by hand (see chat/with-fallbacks.ts); nothing fails silently.
 */
export interface ChatCapabilities {
  /** Make a dedicated room (channel) for an incident. */
  rooms: boolean;
  topics: boolean;
  threads: boolean;
  /** Replace the text of a message Herald posted (announcements kept up to date in place). */
  edits: boolean;
  files: boolean;
  buttons: boolean;
  /** Add people to a room. */
  invites: boolean;
  /** Pin a message in its channel (the incident's summary). */
  pins: boolean;
}

/**
 * The effect a call carries out: its key, and whether an earlier attempt may have landed. Where a
 * platform cannot do the call and posts instead (a topic, an edit, a file or an invitation; see
 * chat/with-fallbacks.ts), that post is keyed by the effect, and looked for before a retry makes it.
 */
export interface EffectAttempt {
  key: string;
  triedBefore: boolean;
  /** Nothing the effect made is older: when it was queued, less the clocks' possible difference (see `findPosted`). */
  since: string;
}

/** Who an invitation could not add, and why, in words a person can act on. */
export interface InviteResult {
  refused: { userId: string; reason: string }[];
}

/** The chat platform as the incident process sees it. */
export interface ChatAdapter {
  /** The platform's name (slack, console, teams): requests and incidents name it. */
  readonly platform: string;
  readonly capabilities: ChatCapabilities;
  /** Whether a channel id is this platform's (several platforms may be active at once). */
  owns(channelId: string): boolean;
  /** A room name for an incident made to fit the platform's rules; `attempt` 2, 3, … after a taken name. */
  roomName(wanted: string, attempt: number): string;
  /**
   * Makes a room, or says its name is taken. `triedBefore`: an earlier attempt may have made it and
   * lost the answer; where the platform would not refuse the name (a Teams room thread), the
   * adapter looks for the room first and says "name_taken" if it is there (findRoom finds it).
   */
  createChannel(name: string, options?: { triedBefore?: boolean }): Promise<ChatChannel | "name_taken">;
  postMessage(message: OutgoingMessage): Promise<PostedMessage>;
  /** Shares a small text file (a calendar invite, say) in a channel, with a message. */
  uploadFile(channel: string, file: { filename: string; title: string; content: string; comment: string }, effect?: EffectAttempt): Promise<void>;
  /** Replaces a message Herald posted with this text alone: buttons it had are gone. */
  updateMessage(channel: string, messageId: string, text: string, effect?: EffectAttempt): Promise<void>;
  /** Sets the channel's topic (Slack allows 250 characters). */
  setTopic(channel: string, topic: string, effect?: EffectAttempt): Promise<void>;
  /**
   * Adds people to a channel; someone already in it is fine. Says who the platform would not add
   * (a deactivated account, a guest kept out of the channel): the others are added all the same.
   */
  invite(channel: string, userIds: string[], effect?: EffectAttempt): Promise<InviteResult>;
  /**
   * A room that exists under this name, and whether Herald made it (so a room made by an attempt
   * whose answer was lost is found again, not duplicated); null when there is none.
   */
  findRoom(name: string): Promise<{ channel: ChatChannel; ours: boolean } | null>;
  /** Pins a message Herald posted (where `capabilities.pins`). */
  pin(channel: string, messageId: string): Promise<void>;
  /** A person's name as the platform shows it, or null when the platform cannot say. */
  displayName(userId: string): Promise<string | null>;
  /** The chat user with this email address, where the platform can look one up; else null. */
  userByEmail(email: string): Promise<string | null>;
  /**
   * Looks for a message posted earlier with this idempotency key (after a crash mid-post, or an
   * answer lost), in the channel or, given `threadId`, in that thread's replies. Given `since` (see
   * EffectAttempt), it looks back to then, however many posts came after it in a busy channel
   * (within a bound the adapter says); without it, among the latest posts.
   */
  findPosted(channel: string, idempotencyKey: string, where?: { threadId?: string; since?: string }): Promise<PostedMessage | null>;
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
