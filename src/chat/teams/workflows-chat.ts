import type { ChatAdapter } from "../../ports/chat.js";
import { EffectError } from "../../ports/chat.js";
import { cardAttachment, toAdaptiveCard } from "./card.js";
import { ownsTeamsId, TEAMS } from "./teams-chat.js";
import { teamsRoomName } from "./room-name.js";

/**
 * Teams without a bot registration: posts go to each channel's Workflows webhook ("When a Teams
 * webhook request is received") as Adaptive Cards. Workflows can only post, so this adapter says
 * what it cannot do through its capabilities: no rooms, topics, threads, edits, files, buttons or
 * invitations; the chat layer does the nearest thing and tells people what to do by hand.
 */
export function createWorkflowsChat(workflows: Record<string, string>, channelKeys: Record<string, string>): ChatAdapter {
  const urlFor = (channel: string) => {
    const bare = channel.replace(/^teams:/, "");
    const key = Object.entries(channelKeys).find(([, ref]) => ref === bare || ref === channel)?.[0];
    return workflows[bare] ?? workflows[channel] ?? (key ? workflows[key] : undefined);
  };
  const unsupported = (what: string) => async () => {
    throw new EffectError(`Teams through Workflows cannot ${what}`, false);
  };
  return {
    platform: TEAMS,
    capabilities: { rooms: false, topics: false, threads: false, edits: false, files: false, buttons: false, invites: false, pins: false },
    owns: (id) => ownsTeamsId(id) || id.startsWith("teams:"),
    roomName: teamsRoomName,
    createChannel: unsupported("make rooms"),
    async postMessage({ channel, text }) {
      const url = urlFor(channel);
      if (!url) throw new EffectError(`no Workflows webhook is set for Teams channel ${channel} (teams.workflows in herald.yaml)`, false);
      const { card } = toAdaptiveCard(text);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ type: "message", attachments: [cardAttachment(card)] }),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw new EffectError(`Workflows webhook: ${(error as Error).message}`, true);
      }
      if (!response.ok) {
        // A busy flow is throttled (429): its wait, when it says one, is kept to.
        const retryAfter = Number(response.headers.get("retry-after")) || undefined;
        throw new EffectError(`Workflows webhook: HTTP ${response.status}`, response.status === 429 || response.status >= 500, retryAfter);
      }
      return { channel, id: `workflow:${crypto.randomUUID()}` };
    },
    uploadFile: unsupported("share files"),
    updateMessage: unsupported("edit posts"),
    setTopic: unsupported("set topics"),
    invite: unsupported("add people"),
    pin: async () => {},
    findRoom: async () => null,
    displayName: async () => null,
    userByEmail: async () => null,
    findPosted: async () => null,
    async respond(_replyUrl, channel, text) {
      await this.postMessage({ channel, text, idempotencyKey: "" });
    },
  };
}
