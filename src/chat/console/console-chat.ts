import type { ChatAdapter } from "../../ports/chat.js";
import type { Clock } from "../../ports/clock.js";
import type { LocalChatStore, LocalMessage } from "../../ports/store.js";
import { consoleRoomName } from "./room-name.js";

/** The console's name: its channel ids start with `console:`. */
export const CONSOLE = "console";
const PREFIX = `${CONSOLE}:`;

/** The console's channel id for a room name. */
export function roomId(name: string): string {
  return `${PREFIX}${name}`;
}

/**
 * The web console's chat adapter (the local chat): rooms and messages kept in the store, shown at
 * /console, and printed through `print` (the terminal of `npm start`). Used by default when no
 * other chat platform is configured, and beside them always.
 */
export function createConsoleChat(store: LocalChatStore, clock: Clock, print: (line: string) => void): ChatAdapter {
  async function resolveChannel(channel: string) {
    const name = channel.replace(/^console:/, "").replace(/^#/, "");
    const found = (await store.findLocalChannel(channel)) ?? (await store.findLocalChannel(name));
    if (found) return found;
    // The team's standing rooms (team, ask, update) come into being on their first post.
    const created = await store.createLocalChannel({ id: roomId(name), name }, clock.now().toISOString());
    return created === "name_taken" ? (await store.findLocalChannel(name))! : created;
  }

  /** Keeps a message in its room and prints it. */
  async function post(channel: string, message: Omit<LocalMessage, "id" | "channelId" | "channelName" | "postedAt">, note = "") {
    const target = await resolveChannel(channel);
    const id = `${target.id}/${crypto.randomUUID()}`;
    await store.saveLocalMessage({ ...message, id, channelId: target.id, channelName: target.name, postedAt: clock.now().toISOString() });
    print(`[local chat] #${target.name}${note}: ${message.text}`);
    return { channel: target.id, id };
  }

  return {
    platform: CONSOLE,
    capabilities: { rooms: true, topics: true, threads: true, edits: true, files: true, buttons: true, invites: true, pins: false },
    owns: (channelId) => channelId.startsWith(PREFIX),
    roomName: consoleRoomName,

    async createChannel(name) {
      const created = await store.createLocalChannel({ id: roomId(name), name }, clock.now().toISOString());
      if (created !== "name_taken") print(`[local chat] created #${created.name}`);
      return created;
    },

    async postMessage({ channel, text, idempotencyKey, buttons, threadId }) {
      return post(channel, { text, idempotencyKey, ...(buttons?.length ? { buttons } : {}), ...(threadId ? { threadId } : {}) });
    },

    async uploadFile(channel, file) {
      await post(channel, { text: file.comment, idempotencyKey: null, file: { filename: file.filename, title: file.title, content: file.content } });
    },

    async updateMessage(_channel, messageId, text) {
      const name = await store.updateLocalMessage(messageId, text);
      if (name) print(`[local chat] #${name} (updated): ${text}`);
    },

    async setTopic(channel, topic) {
      const target = await resolveChannel(channel);
      await store.setLocalTopic(target.id, topic);
      print(`[local chat] topic of ${channel}: ${topic}`);
    },

    async invite(channel, userIds) {
      // Anyone can open any room in the console: an invitation is a note of who was asked in.
      print(`[local chat] invited ${userIds.join(", ")} to ${channel}`);
      return { refused: [] };
    },

    async respond(_replyUrl, channel, text, visibility) {
      await post(channel, { text, idempotencyKey: null }, visibility === "requester" ? " (to the requester only)" : "");
    },

    async findRoom(name) {
      // Every console room is Herald's: people cannot make rooms in the console.
      const found = await store.findLocalChannel(name);
      return found ? { channel: { id: found.id, name: found.name }, ours: true } : null;
    },

    async pin() {
      // The console shows an incident's summary at the top of its page already.
    },

    // People are known by the names they signed in with.
    displayName: async (userId) => userId,
    userByEmail: async () => null,

    async findPosted(_channel, idempotencyKey) {
      const found = await store.findLocalMessage(idempotencyKey);
      return found ? { channel: found.channelId, id: found.id } : null;
    },
  };
}
