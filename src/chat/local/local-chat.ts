import type { ChatAdapter } from "../../ports/chat.js";
import type { Clock } from "../../ports/clock.js";
import type { Store } from "../../ports/store.js";

/**
 * The chat adapter used when no chat platform is configured: channels and messages are kept in the
 * store (shown by GET /api/incidents/:id) and printed through `print`.
 */
export function createLocalChat(store: Store, clock: Clock, print: (line: string) => void): ChatAdapter {
  async function resolveChannel(channel: string) {
    const name = channel.replace(/^#/, "");
    const found = await store.findLocalChannel(name);
    if (found) return found;
    // The team's standing channels (team, ask, update) come into being on their first post.
    const created = await store.createLocalChannel(name, clock.now().toISOString());
    return created === "name_taken" ? (await store.findLocalChannel(name))! : created;
  }

  /** Keeps a message in its channel and prints it. */
  async function post(channel: string, text: string, idempotencyKey: string | null, note = "") {
    const target = await resolveChannel(channel);
    const id = `${target.id}-${crypto.randomUUID()}`;
    await store.saveLocalMessage({ id, channelId: target.id, channelName: target.name, idempotencyKey, text, postedAt: clock.now().toISOString() });
    print(`[local chat] #${target.name}${note}: ${text}`);
    return { channel: target.id, id };
  }

  return {
    platform: "local",

    async createChannel(name) {
      const created = await store.createLocalChannel(name, clock.now().toISOString());
      if (created !== "name_taken") print(`[local chat] created #${created.name}`);
      return created;
    },

    async postMessage({ channel, text, idempotencyKey }) {
      return post(channel, text, idempotencyKey);
    },

    async uploadFile(channel, file) {
      await post(channel, `${file.comment}\n[${file.filename}]\n${file.content}`, null);
    },

    async updateMessage(_channel, messageId, text) {
      const name = await store.updateLocalMessage(messageId, text);
      if (name) print(`[local chat] #${name} (updated): ${text}`);
    },

    async setTopic(channel, topic) {
      print(`[local chat] topic of ${channel}: ${topic}`);
    },

    async invite(channel, userIds) {
      print(`[local chat] invited ${userIds.join(", ")} to ${channel}`);
    },

    async respond(_replyUrl, channel, text, visibility) {
      await post(channel, text, null, visibility === "requester" ? " (to the requester only)" : "");
    },

    async findPosted(_channel, idempotencyKey) {
      const found = await store.findLocalMessage(idempotencyKey);
      return found ? { channel: found.channelId, id: found.id } : null;
    },
  };
}
