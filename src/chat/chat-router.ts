import type { ChatAdapter } from "../ports/chat.js";

/** Every active chat platform, and which one a channel, a room or an incident is on. */
export interface ChatRouter {
  /** The platform of incidents that come from alarms, and of channel references that name none. */
  readonly defaultPlatform: string;
  readonly platforms: readonly string[];
  /** The adapter of a platform by name (the default one for an unknown or missing name). */
  on(platform: string | null | undefined): ChatAdapter;
  /** The adapter that owns a channel id or reference, and the channel as that adapter knows it. */
  at(channel: string): { chat: ChatAdapter; channel: string };
  /**
   * A channel reference from the configuration placed on an incident's platform: `slack:C0123`,
   * `console:ops` and ids a platform owns (Slack's `C0123`) stay as they are; a bare name (`#ops`) is
   * the incident's platform's.
   */
  place(reference: string, platform: string | null | undefined): string;
}

const QUALIFIED = /^([a-z][a-z0-9-]*):(.+)$/;

/** Routes by platform; the first adapter is the default. */
export function createChatRouter(adapters: readonly ChatAdapter[]): ChatRouter {
  const first = adapters[0];
  if (!first) throw new Error("at least one chat platform is needed");
  const byName = new Map(adapters.map((a) => [a.platform, a]));
  return {
    defaultPlatform: first.platform,
    platforms: adapters.map((a) => a.platform),
    on: (platform) => (platform ? byName.get(platform) : undefined) ?? first,
    at(channel) {
      const owner = adapters.find((a) => a.owns(channel));
      if (owner) return { chat: owner, channel };
      const qualified = QUALIFIED.exec(channel);
      const named = qualified ? byName.get(qualified[1]!) : undefined;
      return named ? { chat: named, channel: qualified![2]! } : { chat: first, channel };
    },
    place(reference, platform) {
      const qualified = QUALIFIED.exec(reference);
      if ((qualified && byName.has(qualified[1]!)) || adapters.some((a) => a.owns(reference))) return reference;
      const chat = (platform ? byName.get(platform) : undefined) ?? first;
      return chat === first ? reference : `${chat.platform}:${reference}`;
    },
  };
}
