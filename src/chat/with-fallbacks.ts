import { shortHash } from "./short-hash.js";
import type { ChatAdapter, EffectAttempt, OutgoingMessage } from "../ports/chat.js";

/**
 * The adapter with the nearest thing done where its platform cannot do what was asked, and the
 * people told what to do by hand: a new message for an edit, the file's text for a file, the
 * commands to type for buttons, a line for a topic or an invitation. Nothing fails silently.
 *
 * Such a post is keyed by the effect it carries out, not by its text (an invitation's file or an
 * announcement is rendered anew on each try), so that a retry after a lost answer finds it where the
 * platform can look, rather than posting it twice.
 */
export function withFallbacks(chat: ChatAdapter): ChatAdapter {
  const can = chat.capabilities;
  if (Object.values(can).every(Boolean)) return chat;
  const say = async (channel: string, text: string, what: string, effect: EffectAttempt | undefined) => {
    const key = effect ? `${effect.key}:${what}` : `${what}:${shortHash(text)}`;
    if (effect?.triedBefore && (await chat.findPosted(channel, key, { since: effect.since }))) return;
    await chat.postMessage({ channel, text, idempotencyKey: key });
  };
  return {
    ...chat,
    postMessage(message: OutgoingMessage) {
      let text = message.text;
      if (message.buttons?.length && !can.buttons) {
        text += `\n${message.buttons.map((b) => `• ${b.label}: \`${b.command ?? b.label}\``).join("\n")}`;
      }
      const threadId = can.threads ? message.threadId : undefined;
      return chat.postMessage({ ...message, text, buttons: can.buttons ? message.buttons : undefined, threadId });
    },
    async updateMessage(channel, messageId, text, effect) {
      if (can.edits) return chat.updateMessage(channel, messageId, text, effect);
      await say(channel, `${text}\n_(updated: this platform cannot edit the earlier message)_`, `update:${messageId}`, effect);
    },
    async uploadFile(channel, file, effect) {
      if (can.files) return chat.uploadFile(channel, file, effect);
      await say(channel, `${file.comment}\n*${file.filename}* (save it as a file):\n\`\`\`${file.content}\`\`\``, `file:${file.filename}`, effect);
    },
    async setTopic(channel, topic, effect) {
      if (can.topics) return chat.setTopic(channel, topic, effect);
      await say(channel, `*Now:* ${topic}`, "topic", effect);
    },
    async pin(channel, messageId) {
      // The summary is the room's first message: without pins it is still where people look first.
      if (can.pins) return chat.pin(channel, messageId);
    },
    async invite(channel, userIds, effect) {
      if (can.invites) return chat.invite(channel, userIds, effect);
      const people = await Promise.all(userIds.map(async (id) => `<@${id}|${((await chat.displayName(id).catch(() => null)) ?? id).replace(/[|<>]/g, "")}>`));
      await say(channel, `Herald cannot add people here: please add ${people.join(", ")} by hand.`, "invite", effect);
      return { refused: [] };
    },
  };
}
