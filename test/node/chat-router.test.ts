import { describe, expect, it } from "vitest";
import { createChatRouter } from "../../src/chat/chat-router.js";
import { withFallbacks } from "../../src/chat/with-fallbacks.js";
import type { ChatAdapter, ChatCapabilities, OutgoingMessage } from "../../src/ports/chat.js";

const ALL: ChatCapabilities = { rooms: true, topics: true, threads: true, edits: true, files: true, buttons: true, invites: true, pins: true };

function fakeChat(platform: string, owns: (id: string) => boolean, capabilities: ChatCapabilities = ALL) {
  const posts: OutgoingMessage[] = [];
  const calls: string[] = [];
  const chat: ChatAdapter = {
    platform,
    capabilities,
    owns,
    roomName: (wanted) => wanted,
    createChannel: async (name) => ({ id: `${platform}-${name}`, name }),
    postMessage: async (message) => {
      posts.push(message);
      return { channel: message.channel, id: String(posts.length) };
    },
    uploadFile: async () => void calls.push("uploadFile"),
    updateMessage: async () => void calls.push("updateMessage"),
    setTopic: async () => void calls.push("setTopic"),
    invite: async () => (calls.push("invite"), { refused: [] }),
    findPosted: async (channel, key, where) => {
      calls.push(`findPosted ${key} since ${where?.since}`);
      const index = posts.findIndex((p) => p.channel === channel && p.idempotencyKey === key);
      return index < 0 ? null : { channel, id: String(index + 1) };
    },
    respond: async () => void calls.push("respond"),
    findRoom: async () => null,
    pin: async () => void calls.push("pin"),
    displayName: async () => null,
    userByEmail: async () => null,
  };
  return { chat, posts, calls };
}

describe("the chat router", () => {
  const slack = fakeChat("slack", (id) => /^C[A-Z0-9]+$/.test(id));
  const console_ = fakeChat("console", (id) => id.startsWith("console:"));
  const router = createChatRouter([slack.chat, console_.chat]);

  it("sends each channel to the platform that owns it, the first platform being the default", () => {
    expect(router.defaultPlatform).toBe("slack");
    expect(router.at("C0123").chat).toBe(slack.chat);
    expect(router.at("console:ops").chat).toBe(console_.chat);
    expect(router.at("#ops")).toEqual({ chat: slack.chat, channel: "#ops" });
    // A reference that names its platform reaches it without the name.
    expect(router.at("slack:C0999")).toEqual({ chat: slack.chat, channel: "C0999" });
    expect(router.on("console")).toBe(console_.chat);
    expect(router.on(undefined)).toBe(slack.chat);
    expect(router.on("teams")).toBe(slack.chat);
  });

  it("places the team's bare channel names on the incident's platform, and leaves named or owned ones alone", () => {
    expect(router.place("#ops-update", "console")).toBe("console:#ops-update");
    expect(router.place("#ops-update", "slack")).toBe("#ops-update");
    expect(router.place("#ops-update", undefined)).toBe("#ops-update");
    expect(router.place("C0UPDATE01", "console")).toBe("C0UPDATE01");
    expect(router.place("slack:C0UPDATE01", "console")).toBe("slack:C0UPDATE01");
  });
});

describe("a platform that cannot do everything", () => {
  it("does the nearest thing and says what a person should do", async () => {
    const bare = fakeChat("webhook", () => true, { rooms: false, topics: false, threads: false, edits: false, files: false, buttons: false, invites: false, pins: false });
    const chat = withFallbacks(bare.chat);
    await chat.postMessage({
      channel: "ops",
      text: "Who leads?",
      idempotencyKey: "k",
      threadId: "t1",
      buttons: [{ actionId: "volunteer_lead", label: "I'll lead", value: "i", command: "lead me" }],
    });
    await chat.updateMessage("ops", "m1", "Resolved");
    await chat.uploadFile("ops", { filename: "pm.ics", title: "PM", content: "BEGIN:VCALENDAR", comment: "The meeting" });
    await chat.setTopic("ops", "P1 · triggered");
    await chat.invite("ops", ["ada"]);
    expect(bare.calls).toEqual([]);
    expect(bare.posts.map((p) => [p.text, p.buttons, p.threadId])).toEqual([
      ["Who leads?\n• I'll lead: `lead me`", undefined, undefined],
      ["Resolved\n_(updated: this platform cannot edit the earlier message)_", undefined, undefined],
      ["The meeting\n*pm.ics* (save it as a file):\n```BEGIN:VCALENDAR```", undefined, undefined],
      ["*Now:* P1 · triggered", undefined, undefined],
      ["Herald cannot add people here: please add <@ada|ada> by hand.", undefined, undefined],
    ]);
  });

  it("keys each post it makes in place of a call by the effect, and looks for it before a retry posts it again", async () => {
    const tried = (key: string, triedBefore: boolean) => ({ key, triedBefore, since: "2026-12-06T10:00:00.000Z" });
    const bare = fakeChat("webhook", () => true, { rooms: false, topics: false, threads: false, edits: false, files: false, buttons: false, invites: false, pins: false });
    const chat = withFallbacks(bare.chat);
    const file = (content: string) => ({ filename: "pm.ics", title: "PM", content, comment: "The meeting" });
    await chat.setTopic("ops", "P1 · triggered", tried("e1", false));
    await chat.uploadFile("ops", file("DTSTAMP:1"), tried("e2", false));
    await chat.updateMessage("ops", "m1", "Resolved", tried("e3", false));
    await chat.invite("ops", ["ada"], tried("e4", false));
    expect(bare.calls).toEqual([]);
    expect(bare.posts.map((p) => p.idempotencyKey)).toEqual(["e1:topic", "e2:file:pm.ics", "e3:update:m1", "e4:invite"]);

    // Each tried again after its answer was lost: found, not posted again, though the file's text
    // and the announcement are rendered anew on each try.
    await chat.setTopic("ops", "P1 · triggered", tried("e1", true));
    await chat.uploadFile("ops", file("DTSTAMP:2"), tried("e2", true));
    await chat.updateMessage("ops", "m1", "Resolved at 10:05", tried("e3", true));
    await chat.invite("ops", ["ada"], tried("e4", true));
    expect(bare.posts).toHaveLength(4);
    expect(bare.calls).toEqual(["e1:topic", "e2:file:pm.ics", "e3:update:m1", "e4:invite"].map((key) => `findPosted ${key} since 2026-12-06T10:00:00.000Z`));

    // The same topic set again by a later effect is a new post; one tried before that had not landed is made.
    await chat.setTopic("ops", "P1 · triggered", tried("e5", false));
    await chat.setTopic("ops", "P1 · acknowledged", tried("e6", true));
    expect(bare.posts.map((p) => p.idempotencyKey).slice(4)).toEqual(["e5:topic", "e6:topic"]);
  });

  it("is left as it is when it can do everything", () => {
    const full = fakeChat("slack", () => true);
    expect(withFallbacks(full.chat)).toBe(full.chat);
  });
});
