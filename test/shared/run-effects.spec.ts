import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import type { Incident } from "../../src/domain/incident.js";
import { MAX_ATTEMPTS } from "../../src/effects/backoff.js";
import { createChatRouter } from "../../src/chat/chat-router.js";
import { runEffects } from "../../src/effects/run-effects.js";
import { tryAgain, tryAllAgain } from "../../src/effects/try-again.js";
import { EffectError, type ChatAdapter, type OutgoingMessage } from "../../src/ports/chat.js";
import type { NewEffect, Store } from "../../src/ports/store.js";
import { createDraftPaging } from "../../src/pagerduty/pagerduty-paging.js";
import { createDraftIssues } from "../../src/github/github-issues.js";
import { templates } from "../../src/generated/templates.js";
import { createRenderer } from "../../src/render/renderer.js";
import { loadConfig } from "../../src/config/load-config.js";
import { defaultConfigText } from "../../src/generated/default-config.js";

// The vendors these tests do not exercise.
const others = {
  paging: createDraftPaging(),
  issues: createDraftIssues(),
  renderer: createRenderer(templates, { timeZone: "Europe/London" }),
  config: loadConfig(defaultConfigText, { source: "herald.yaml", env: {}, templateNames: Object.keys(templates) }),
};

const T0 = Date.parse("2026-11-27T10:00:00.000Z");

function manualClock() {
  let now = T0;
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

/** An in-memory chat platform that fails as told. */
function scriptedChat(failures: (Error | null)[] = []) {
  const posts: OutgoingMessage[] = [];
  const created: string[] = [];
  const taken = new Set<string>();
  const chat: ChatAdapter & { posts: OutgoingMessage[]; created: string[]; taken: Set<string>; lookups: number } = {
    platform: "console",
    capabilities: { rooms: true, topics: true, threads: true, edits: true, files: true, buttons: true, invites: true, pins: true },
    owns: () => true,
    roomName: (wanted, attempt) => (attempt < 2 ? wanted : `${wanted}-${attempt}`),
    posts,
    created,
    taken,
    lookups: 0,
    async createChannel(name) {
      const failure = failures.shift();
      if (failure) throw failure;
      if (taken.has(name)) return "name_taken";
      taken.add(name);
      created.push(name);
      return { id: `C-${name}`, name };
    },
    async postMessage(message) {
      const failure = failures.shift();
      if (failure) throw failure;
      posts.push(message);
      return { channel: message.channel, id: `ts-${posts.length}` };
    },
    async invite() {
      return { refused: [] };
    },
    async setTopic() {},
    async respond() {},
    async updateMessage() {},
    async uploadFile() {},
    async findRoom(name) {
      return taken.has(name) ? { channel: { id: `C-${name}`, name }, ours: created.includes(name) } : null;
    },
    async pin() {},
    displayName: async () => null,
    userByEmail: async () => null,
    async findPosted(channel, key) {
      chat.lookups++;
      const found = posts.findIndex((p) => p.idempotencyKey === key && p.channel === channel);
      return found >= 0 ? { channel, id: `ts-${found + 1}` } : null;
    },
  };
  return chat;
}

const incident: Incident = {
  id: "inc-1",
  pagerdutyId: "PD1",
  number: 7,
  title: "Disk full",
  url: null,
  service: null,
  priority: "P1",
  status: "triggered",
  urgency: "high",
  assignees: [],
  triggeredAt: new Date(T0).toISOString(),
  acknowledgedAt: null,
  resolvedAt: null,
  updatedAt: new Date(T0).toISOString(),
  channel: null,
  roles: {},
};

const effects: NewEffect[] = [
  { key: "k-create", incidentId: "inc-1", payload: { kind: "create_channel", name: "inc-7-disk-full" } },
  { key: "k-summary", incidentId: "inc-1", payload: { kind: "post_message", to: "incident", template: "t", text: "summary" } },
  { key: "k-update", incidentId: "inc-1", payload: { kind: "post_message", to: { channel: "C-UPDATE" }, template: "t", text: "announce" } },
];

/** The users' announcement in the update channel, queued beside the room's work. */
const announce: NewEffect = { key: "k-announce", incidentId: "inc-1", payload: { kind: "post_message", to: { channel: "C-UPDATE" }, template: "user-announcement", text: "announce", announcement: { to: "update" } } };

/** A fresh store holding the incident and `queued` (by default the room, its summary and an announcement). */
async function seeded(queued: NewEffect[] = effects): Promise<Store> {
  const store = await harness.freshStore();
  await store.commitProcessed({ deliveryId: "d", processedAt: new Date(T0).toISOString(), incidents: [incident], entries: [], effects: queued });
  return store;
}

async function statuses(store: Store) {
  return (await store.effectsFor("inc-1")).map((e) => [e.key, e.status, e.attempts]);
}

/** The store with each effect write named in `writes`; the process dies (the write throws after it is made) after finishing `dieAfter`. */
function watchingWrites(store: Store, dieAfter?: string) {
  const writes: string[] = [];
  const watched: Store = {
    ...store,
    async startEffect(key, at) {
      writes.push(`start ${key}`);
      await store.startEffect(key, at);
    },
    async startEffects(keys, at) {
      writes.push(`start ${keys.join(", ")}`);
      await store.startEffects(keys, at);
    },
    async finishEffect(key, outcome, at, record, startNext) {
      let started: string | null = null;
      await store.finishEffect(key, outcome, at, record, startNext && ((queries) => (started = startNext(queries))));
      writes.push(started ? `finish ${key}, start ${started}` : `finish ${key}`);
      if (key === dieAfter) throw new Error("the process died");
    },
    async finishEffectLater(key, outcome, at) {
      writes.push(`finish ${key} later`);
      await store.finishEffectLater(key, outcome, at);
    },
  };
  return { watched, writes };
}

describe(`runEffects (${harness.runtime})`, () => {
  it("creates the channel, then posts in it and in the update channel, in order", async () => {
    const store = await seeded();
    const chat = scriptedChat();
    const clock = manualClock();
    expect(await runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others })).toEqual({ finished: 3, more: false });
    expect(chat.created).toEqual(["inc-7-disk-full"]);
    expect(chat.posts.map((p) => [p.channel, p.text, p.idempotencyKey])).toEqual([
      ["C-inc-7-disk-full", "summary", "k-summary"],
      ["C-UPDATE", "announce", "k-update"],
    ]);
    expect((await store.getIncident("inc-1"))!.channel).toEqual({ id: "C-inc-7-disk-full", name: "inc-7-disk-full" });
    expect(await runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others })).toEqual({ finished: 0, more: false });
    expect(chat.posts).toHaveLength(2);
  });

  it("says once in the room who the platform would not add, and why; the rest are added and the invitation is not tried again", async () => {
    const store = await seeded([{ key: "k-invite", incidentId: "inc-1", payload: { kind: "invite", userIds: ["U0ADA0001", "U0GONE0001"] } }]);
    await store.saveIncidents([{ ...incident, channel: { id: "C-ROOM", name: "inc-7-disk-full" } }], [], new Date(T0).toISOString());
    const chat = scriptedChat();
    const asked: string[][] = [];
    chat.invite = async (_channel, userIds) => {
      asked.push(userIds);
      return { refused: userIds.filter((id) => id === "U0GONE0001").map((userId) => ({ userId, reason: "Slack has no such person" })) };
    };
    const clock = manualClock();
    const deps = { store, chat: createChatRouter([chat]), clock, log: () => {}, ...others };
    expect(await runEffects(deps)).toEqual({ finished: 1, more: true });
    expect(await runEffects(deps)).toEqual({ finished: 1, more: false });
    expect(await runEffects(deps)).toEqual({ finished: 0, more: false });
    expect(asked).toEqual([["U0ADA0001", "U0GONE0001"]]);
    const invite = (await store.effectsFor("inc-1")).find((e) => e.key === "k-invite")!;
    expect([invite.status, invite.result]).toEqual(["done", { invited: ["U0ADA0001"], refused: [{ userId: "U0GONE0001", reason: "Slack has no such person" }] }]);
    expect(chat.posts.map((p) => [p.channel, p.text, p.idempotencyKey])).toEqual([
      ["C-ROOM", ":warning: *Herald could not add everyone to this room.* <@U0GONE0001|U0GONE0001>: Slack has no such person. Add them by hand if they should be here.", "k-invite:not-done"],
    ]);
    // On the record too, for the post-mortem.
    expect((await store.timeline("inc-1")).map((e) => e.text)).toEqual(["Herald could not add everyone to the room: U0GONE0001: Slack has no such person"]);
  });

  it("adds a suffix when the channel name is taken", async () => {
    const store = await seeded();
    const chat = scriptedChat();
    chat.taken.add("inc-7-disk-full");
    chat.taken.add("inc-7-disk-full-2");
    await runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others });
    expect(chat.created).toEqual(["inc-7-disk-full-3"]);
    expect(chat.posts[0]!.channel).toBe("C-inc-7-disk-full-3");
  });

  it("edits a replaced draft's review post where the due page says it was made, without a read of its own; looks it up when the post was made after the page was read", async () => {
    const review = (key: string): NewEffect => ({ key, incidentId: "inc-1", payload: { kind: "post_message", to: "incident", template: "status-draft", text: key } });
    const retire = (key: string, of: string): NewEffect => ({ key, incidentId: "inc-1", payload: { kind: "retire_review", review: of, text: `${of} replaced` } });
    const store = await seeded([review("k-review-1")]);
    await store.saveIncidents([{ ...incident, channel: { id: "C-ROOM", name: "inc-7-disk-full" } }], [], new Date(T0).toISOString());
    const chat = scriptedChat();
    const edits: string[][] = [];
    chat.updateMessage = async (channel, id, text) => void edits.push([channel, id, text]);
    const read: string[] = [];
    const counted: Store = { ...store, getEffect: (key) => (read.push(key), store.getEffect(key)) };
    const deps = { store: counted, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others };
    expect(await runEffects(deps)).toEqual({ finished: 1, more: false });
    // Made long before (a draft replaced at the resolution): the page gives where.
    await store.commitProcessed({ deliveryId: "d2", processedAt: new Date(T0).toISOString(), incidents: [], entries: [], effects: [retire("k-retire-1", "k-review-1")] });
    expect(await runEffects(deps)).toEqual({ finished: 1, more: false });
    expect(read).toEqual([]);
    // Made in the same run, after the page was read: looked for.
    await store.commitProcessed({ deliveryId: "d3", processedAt: new Date(T0).toISOString(), incidents: [], entries: [], effects: [review("k-review-2"), retire("k-retire-2", "k-review-2")] });
    await runEffects(deps);
    expect(read).toEqual(["k-review-2"]);
    expect(edits).toEqual([["C-ROOM", "ts-1", "k-review-1 replaced"], ["C-ROOM", "ts-2", "k-review-2 replaced"]]);
    expect((await store.effectsFor("inc-1")).filter((e) => e.payload.kind === "retire_review").map((e) => [e.key, e.status])).toEqual([["k-retire-1", "done"], ["k-retire-2", "done"]]);
  });

  it("backs off after a failure, honours Retry-After, and holds the incident's later effects meanwhile", async () => {
    const store = await seeded();
    const chat = scriptedChat([null, new EffectError("chat.postMessage: rate limited", true, 30)]);
    const clock = manualClock();
    const deps = { store, chat: createChatRouter([chat]), clock, log: () => {}, ...others };
    await runEffects(deps);
    expect(await statuses(store)).toEqual([
      ["k-create", "done", 1],
      ["k-summary", "pending", 1],
      ["k-update", "pending", 0],
    ]);
    const [, summary] = await store.effectsFor("inc-1");
    expect(summary!.nextAttemptAt).toBe(new Date(T0 + 30_000).toISOString());
    expect(summary!.lastError).toBe("chat.postMessage: rate limited");

    clock.advance(29);
    await runEffects(deps);
    expect(chat.posts).toHaveLength(0);
    clock.advance(1);
    await runEffects(deps);
    expect(await statuses(store)).toEqual([
      ["k-create", "done", 1],
      ["k-summary", "done", 2],
      ["k-update", "done", 1],
    ]);
    expect(chat.posts.map((p) => p.text)).toEqual(["summary", "announce"]);
  });

  it("doubles the wait on each failure and gives up after the last attempt", async () => {
    const store = await seeded();
    const failures = Array.from({ length: MAX_ATTEMPTS }, () => new EffectError("conversations.create: HTTP 503", true));
    const chat = scriptedChat(failures);
    const clock = manualClock();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others });
      const [create] = await store.effectsFor("inc-1");
      if (create!.status !== "pending") break;
      const wait = (Date.parse(create!.nextAttemptAt) - clock.now().getTime()) / 1000;
      waits.push(wait);
      clock.advance(wait);
    }
    // Up to 10 minutes apart, for about an hour in all: a vendor down that long loses nothing.
    expect(waits).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600, 600, 600]);
    expect(waits.reduce((a, b) => a + b)).toBe(4022);
    // A dead letter: the team channel is told once, with what to do by hand.
    await runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others });
    await runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others });
    expect(await statuses(store)).toEqual([
      ["k-create", "failed", MAX_ATTEMPTS],
      // Nothing can be posted in a channel that could not be made; the update channel still hears.
      ["k-summary", "skipped", 1],
      ["k-update", "done", 1],
      ["k-create:gave-up", "done", 1],
    ]);
    const notices = chat.posts.filter((p) => p.idempotencyKey === "k-create:gave-up");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.channel).not.toBe("C-inc-7-disk-full");
    expect(notices[0]!.text).toContain("Herald could not make this incident's room");
    expect(notices[0]!.text).toContain(`after ${MAX_ATTEMPTS} attempts`);
    expect(notices[0]!.text).toContain("Make a room for the incident by hand");
    // The room it was to make, quoted under the first line.
    expect(notices[0]!.text).toMatch(/^:warning: \*Herald could not make this incident's room\.\*\n>#inc-7-disk-full\nconversations\.create: HTTP 503\. Herald has stopped trying/);
    expect((await store.failedEffects({ limit: 10 })).items.map((e) => e.key)).toEqual(["k-create"]);
  });

  it("fails at once on an error another attempt cannot fix", async () => {
    const store = await seeded();
    const chat = scriptedChat([null, new EffectError("chat.postMessage: not_in_channel", false)]);
    await runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others });
    expect(await statuses(store)).toEqual([
      ["k-create", "done", 1],
      ["k-summary", "failed", 1],
      ["k-update", "done", 1],
      // Told where people will see it: the room is what failed, so the team channel.
      ["k-summary:gave-up", "pending", 0],
    ]);
  });

  it("tries a room given up on again when asked, with the posts skipped for want of it, each once", async () => {
    const store = await seeded();
    const chat = scriptedChat([new EffectError("conversations.create: restricted_action", false)]);
    const clock = manualClock();
    const run = () => runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others });
    await run();
    await run();
    expect(await statuses(store)).toEqual([
      ["k-create", "failed", 1],
      ["k-summary", "skipped", 1],
      ["k-update", "done", 1],
      ["k-create:gave-up", "done", 1],
    ]);
    // A person asks once the permission is fixed; only a failed effect goes again.
    expect(await tryAgain(store, "k-update", clock.now().toISOString())).toMatchObject({ status: "not_failed" });
    expect(await tryAgain(store, "nothing", clock.now().toISOString())).toEqual({ status: "not_found" });
    const retried = await tryAgain(store, "k-create", clock.now().toISOString());
    expect(retried).toMatchObject({ status: "queued", effect: { key: "k-create", status: "pending", attempts: 1, lastError: null }, alongWith: ["k-summary"] });
    await run();
    // Each counted as tried once before, so each looked for what it may have made first.
    expect(await statuses(store)).toEqual([
      ["k-create", "done", 2],
      ["k-summary", "done", 2],
      ["k-update", "done", 1],
      ["k-create:gave-up", "done", 1],
    ]);
    expect(chat.created).toEqual(["inc-7-disk-full"]);
    expect(chat.posts.filter((p) => p.text === "summary").map((p) => p.channel)).toEqual(["C-inc-7-disk-full"]);
    expect(chat.posts.filter((p) => p.idempotencyKey === "k-create:gave-up")).toHaveLength(1);
  });

  it("tries every dead letter again at once, and says again one that fails again", async () => {
    const store = await seeded();
    const refused = () => new EffectError("conversations.create: restricted_action", false);
    const failures = [refused()];
    const chat = scriptedChat(failures);
    const clock = manualClock();
    const run = () => runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others });
    await run();
    await run();
    // Asked too soon: the permission is still missing, so it fails again and the team channel hears again.
    failures.push(refused());
    expect(await tryAllAgain(store, clock.now().toISOString())).toEqual({ failed: 1, alongWith: 1 });
    await run();
    await run();
    expect(await statuses(store)).toEqual([
      ["k-create", "failed", 2],
      ["k-summary", "skipped", 2],
      ["k-update", "done", 1],
      ["k-create:gave-up", "done", 1],
      ["k-create:gave-up:2", "done", 1],
    ]);
    const notices = chat.posts.filter((p) => p.idempotencyKey?.startsWith("k-create:gave-up"));
    expect(notices.map((p) => p.idempotencyKey)).toEqual(["k-create:gave-up", "k-create:gave-up:2"]);
    expect(notices[1]!.text).toContain("Herald could not make this incident's room");
    // Fixed now: the room is made once and its summary posted in it once; nothing is said a third time.
    expect(await tryAllAgain(store, clock.now().toISOString())).toEqual({ failed: 1, alongWith: 1 });
    await run();
    await run();
    expect(await statuses(store)).toEqual([
      ["k-create", "done", 2],
      ["k-summary", "done", 2],
      ["k-update", "done", 1],
      ["k-create:gave-up", "done", 1],
      ["k-create:gave-up:2", "done", 1],
    ]);
    expect(chat.created).toEqual(["inc-7-disk-full"]);
    expect(chat.posts.filter((p) => p.text === "summary").map((p) => p.channel)).toEqual(["C-inc-7-disk-full"]);
    expect(await tryAllAgain(store, clock.now().toISOString())).toEqual({ failed: 0, alongWith: 0 });
  });

  it("lets other incidents, and the incident's other vendors, go on while one chat call hangs", async () => {
    const store = await harness.freshStore();
    const second: Incident = { ...incident, id: "inc-2", pagerdutyId: null, number: 8, title: "Queue stuck", priority: "P3" };
    await store.commitProcessed({
      deliveryId: "d",
      processedAt: new Date(T0).toISOString(),
      incidents: [incident, second],
      entries: [],
      effects: [
        effects[0]!,
        effects[1]!,
        { key: "k-note", incidentId: "inc-1", payload: { kind: "pagerduty_note", content: "paged" } },
        { key: "k2-create", incidentId: "inc-2", payload: { kind: "create_channel", name: "inc-8-queue-stuck" } },
        { key: "k2-summary", incidentId: "inc-2", payload: { kind: "post_message", to: "incident", template: "t", text: "summary 2" } },
      ],
    });
    const chat = scriptedChat();
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const create = chat.createChannel.bind(chat);
    // Slack does not answer for inc-1's room (until released; a real client times out).
    chat.createChannel = async (name) => (name.startsWith("inc-7") ? hung.then(() => create(name)) : create(name));
    const notes: string[] = [];
    const paging = { ...others.paging, platform: "pagerduty", addNote: async (_id: string, content: string) => (notes.push(content), { id: `N${notes.length}` }) };
    const running = runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others, paging: paging as typeof others.paging });
    await expect.poll(() => chat.posts.map((p) => p.text)).toEqual(["summary 2"]);
    // inc-1's PagerDuty note does not wait behind its room either; its summary does.
    expect(notes).toEqual(["paged"]);
    release();
    await running;
    expect(chat.posts.map((p) => p.text)).toEqual(["summary 2", "summary"]);
  });

  it("announces to users while the incident's room is still being made, and updates the announcement after it", async () => {
    const store = await seeded([effects[0]!, effects[1]!, announce, { key: "k-update-announce", incidentId: "inc-1", payload: { kind: "update_announcements" } }]);
    const chat = scriptedChat();
    const updated: string[] = [];
    chat.updateMessage = async (_channel, id) => void updated.push(id);
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const create = chat.createChannel.bind(chat);
    chat.createChannel = async (name) => hung.then(() => create(name));
    const running = runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others });
    await expect.poll(() => updated).toEqual(["ts-1"]);
    expect(chat.posts.map((p) => p.text)).toEqual(["announce"]);
    release();
    await running;
    expect(chat.posts.map((p) => p.text)).toEqual(["announce", "summary"]);
  });

  it("makes only the last of a lane's queued topics and announcement updates, as the incident is by then", async () => {
    const topic = (key: string, text: string): NewEffect => ({ key, incidentId: "inc-1", payload: { kind: "set_topic", topic: text } });
    const update = (key: string): NewEffect => ({ key, incidentId: "inc-1", payload: { kind: "update_announcements" } });
    const store = await seeded([
      effects[0]!,
      topic("k-topic-1", "P1 · triggered"),
      announce,
      update("k-update-1"),
      topic("k-topic-2", "P1 · acknowledged"),
      effects[1]!,
      update("k-update-2"),
      topic("k-topic-3", "P1 · resolved"),
    ]);
    const chat = scriptedChat();
    const topics: string[] = [];
    const updated: string[] = [];
    chat.setTopic = async (_channel, text) => void topics.push(text);
    chat.updateMessage = async (_channel, id) => void updated.push(id);
    expect(await runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others })).toEqual({ finished: 8, more: false });
    expect(topics).toEqual(["P1 · resolved"]);
    expect(updated).toEqual(["ts-1"]);
    expect(chat.posts.map((p) => p.text)).toEqual(["announce", "summary"]);
    const byKey = new Map((await store.effectsFor("inc-1")).map((e) => [e.key, e]));
    expect([...byKey.values()].map((e) => [e.key, e.status])).toEqual([
      ["k-create", "done"],
      ["k-topic-1", "skipped"],
      ["k-announce", "done"],
      ["k-update-1", "skipped"],
      ["k-topic-2", "skipped"],
      ["k-summary", "done"],
      ["k-update-2", "done"],
      ["k-topic-3", "done"],
    ]);
    expect(byKey.get("k-topic-1")!.result).toEqual({ supersededBy: "k-topic-2" });
    expect(byKey.get("k-update-1")!.result).toEqual({ supersededBy: "k-update-2" });
    // Nothing was tried for them, so nothing is left to retry.
    expect(byKey.get("k-topic-2")!.attempts).toBe(0);
  });

  it("does a P1 incident's work before an older backlog", async () => {
    const store = await harness.freshStore();
    const backlog: Incident[] = Array.from({ length: 5 }, (_, i) => ({ ...incident, id: `old-${i}`, pagerdutyId: null, number: 100 + i, priority: "P3" }));
    await store.commitProcessed({
      deliveryId: "d1",
      processedAt: new Date(T0).toISOString(),
      incidents: backlog,
      entries: [],
      effects: backlog.map((b) => ({ key: `${b.id}-summary`, incidentId: b.id, payload: { kind: "post_message", to: { channel: "C-UPDATE" }, template: "t", text: b.id } })),
    });
    await store.commitProcessed({
      deliveryId: "d2",
      processedAt: new Date(T0).toISOString(),
      incidents: [incident],
      entries: [],
      effects: [{ key: "p1-announce", incidentId: "inc-1", payload: { kind: "post_message", to: { channel: "C-UPDATE" }, template: "t", text: "P1" } }],
    });
    expect((await store.openEffects(2)).map((e) => e.key)).toEqual(["p1-announce", "old-0-summary"]);
    const chat = scriptedChat();
    await runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others });
    expect(chat.posts[0]!.text).toBe("P1");
    expect(chat.posts).toHaveLength(6);
  });

  it("goes past a page of effects waiting to be retried to the ones that are due", async () => {
    const store = await harness.freshStore();
    // 120 incidents whose announcement failed and waits ten minutes to be tried again: more than a page.
    const waiting: Incident[] = Array.from({ length: 120 }, (_, i) => ({ ...incident, id: `wait-${i}`, pagerdutyId: null, number: 200 + i, priority: "P3", channel: { id: `C-wait-${i}`, name: `inc-${200 + i}` } }));
    await store.commitProcessed({
      deliveryId: "d1",
      processedAt: new Date(T0).toISOString(),
      incidents: waiting,
      entries: [],
      effects: waiting.flatMap((w) => [
        { key: `${w.id}-announce`, incidentId: w.id, payload: { kind: "post_message", to: { channel: "C-UPDATE" }, template: "user-announcement", text: `${w.id} announced` } },
        { key: `${w.id}-update`, incidentId: w.id, payload: { kind: "post_message", to: { channel: "C-UPDATE" }, template: "user-announcement", text: `${w.id} updated` } },
      ] satisfies NewEffect[]),
    });
    const chat = scriptedChat(Array.from({ length: 120 }, () => new EffectError("chat.postMessage: rate limited", true, 600)));
    const clock = manualClock();
    const deps = { store, chat: createChatRouter([chat]), clock, log: () => {}, ...others };
    // Each run takes a page of 100 (two of each incident's), and goes on to the next page's.
    for (let run = 0; run < 4; run++) await runEffects(deps);
    expect((await store.openEffects(1_000)).filter((e) => e.attempts === 1)).toHaveLength(120);
    // A new incident's announcement, and one of the waiting incidents' own chat, behind them all.
    await store.commitProcessed({
      deliveryId: "d2",
      processedAt: new Date(T0).toISOString(),
      incidents: [{ ...incident, id: "late", pagerdutyId: null, number: 999, priority: "P3" }],
      entries: [],
      effects: [
        { key: "late-announce", incidentId: "late", payload: { kind: "post_message", to: { channel: "C-UPDATE" }, template: "user-announcement", text: "late announced" } },
        { key: "wait-0-summary", incidentId: "wait-0", payload: { kind: "post_message", to: "incident", template: "t", text: "wait-0 summary" } },
      ],
    });
    clock.advance(60);
    await runEffects(deps);
    // The new incident's is done; each waiting announcement still holds its own lane (its update waits
    // behind it), not the incident's room nor anyone else's.
    expect(chat.posts.map((p) => p.text)).toEqual(["late announced", "wait-0 summary"]);
    expect((await store.effectsFor("wait-1")).map((e) => [e.key, e.status])).toEqual([
      ["wait-1-announce", "pending"],
      ["wait-1-update", "pending"],
    ]);
  });

  it("moves an incident's queued work ahead when it is raised to P1", async () => {
    const store = await harness.freshStore();
    const low: Incident = { ...incident, id: "low", priority: "P3", pagerdutyId: null };
    const other: Incident = { ...incident, id: "other", priority: "P3", pagerdutyId: null };
    const post = (key: string, id: string) => ({ key, incidentId: id, payload: { kind: "post_message" as const, to: { channel: "C-UPDATE" }, template: "t", text: key } });
    await store.commitProcessed({ deliveryId: "d1", processedAt: new Date(T0).toISOString(), incidents: [other, low], entries: [], effects: [post("other-1", "other"), post("low-1", "low")] });
    expect((await store.openEffects(1)).map((e) => e.key)).toEqual(["other-1"]);
    await store.commitProcessed({ deliveryId: "d2", processedAt: new Date(T0).toISOString(), incidents: [{ ...low, priority: "P1" }], entries: [], effects: [post("low-2", "low")] });
    expect((await store.openEffects(10)).map((e) => e.key)).toEqual(["low-1", "low-2", "other-1"]);
  });

  it("marks the first effects of lanes that begin side by side started in one write; the host's turns between them keep them apart", async () => {
    // The room's lane (its creation, then its summary) and the users' announcement's, begun together.
    const queued = [effects[0]!, effects[1]!, announce];
    const together = await seeded(queued);
    const { watched, writes } = watchingWrites(together);
    const deps = { store: watched, chat: createChatRouter([scriptedChat()]), clock: manualClock(), log: () => {}, ...others };
    expect(await runEffects(deps)).toEqual({ finished: 3, more: false });
    expect(writes.filter((w) => w.startsWith("start"))).toEqual(["start k-create, k-announce"]);
    expect(await statuses(together)).toEqual([["k-create", "done", 1], ["k-summary", "done", 1], ["k-announce", "done", 1]]);

    // Node gives its host a turn of the event loop before each lane's first effect: one write each, as before.
    const apart = await seeded(queued);
    const watchedApart = watchingWrites(apart);
    const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
    expect(await runEffects({ ...deps, store: watchedApart.watched }, { pause: turn })).toEqual({ finished: 3, more: false });
    expect(watchedApart.writes.filter((w) => w.startsWith("start")).sort()).toEqual(["start k-announce", "start k-create"]);
    expect(await statuses(apart)).toEqual([["k-create", "done", 1], ["k-summary", "done", 1], ["k-announce", "done", 1]]);
  });

  it("writes each outcome with the start of its lane's next effect, one commit between two calls; a death after it leaves that effect known as tried", async () => {
    const note: NewEffect = { key: "k-note", incidentId: "inc-1", payload: { kind: "post_message", to: "incident", template: "t", text: "note" } };
    const room = [effects[0]!, effects[1]!, note];
    const store = await seeded(room);
    const { watched, writes } = watchingWrites(store);
    const chat = scriptedChat();
    const clock = manualClock();
    expect(await runEffects({ store: watched, chat: createChatRouter([chat]), clock, log: () => {}, ...others })).toEqual({ finished: 3, more: false });
    // The lane's last outcome, with nothing else to write, goes with the store's next call.
    expect(writes).toEqual(["start k-create", "finish k-create, start k-summary", "finish k-summary, start k-note", "finish k-note later"]);
    expect(await statuses(store)).toEqual([
      ["k-create", "done", 1],
      ["k-summary", "done", 1],
      ["k-note", "done", 1],
    ]);

    // The process dies once the room's outcome and the summary's start are written, before its post.
    const dying = await seeded(room);
    const fresh = scriptedChat();
    await expect(runEffects({ store: watchingWrites(dying, "k-create").watched, chat: createChatRouter([fresh]), clock, log: () => {}, ...others })).rejects.toThrow("the process died");
    expect(await statuses(dying)).toEqual([
      ["k-create", "done", 1],
      ["k-summary", "in_flight", 1],
      ["k-note", "pending", 0],
    ]);
    // Restarted: the summary, known as tried, is looked for before it is posted; each post is made once.
    await runEffects({ store: dying, chat: createChatRouter([fresh]), clock, log: () => {}, ...others });
    expect(fresh.posts.map((p) => p.idempotencyKey)).toEqual(["k-summary", "k-note"]);
    expect(fresh.lookups).toBe(1);
    expect(await statuses(dying)).toEqual([
      ["k-create", "done", 1],
      ["k-summary", "done", 2],
      ["k-note", "done", 1],
    ]);

    // The process dies after the note's post, before any call takes its outcome along.
    const lost = await seeded(room);
    const third = scriptedChat();
    await runEffects({ store: { ...lost, finishEffectLater: async () => {} }, chat: createChatRouter([third]), clock, log: () => {}, ...others });
    expect((await statuses(lost)).at(-1)).toEqual(["k-note", "in_flight", 1]);
    // Restarted: the note, known as tried, is found where it landed and not posted again.
    await runEffects({ store: lost, chat: createChatRouter([third]), clock, log: () => {}, ...others });
    expect(third.posts.map((p) => p.idempotencyKey)).toEqual(["k-summary", "k-note"]);
    expect(third.lookups).toBe(1);
    expect((await statuses(lost)).at(-1)).toEqual(["k-note", "done", 2]);
  });

  it("after a crash mid-post, finds the post that landed instead of posting it again", async () => {
    const store = await seeded();
    const chat = scriptedChat();
    const clock = manualClock();
    await runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others }, { limit: 1 });
    // The process posted the summary, then died before recording it.
    await store.startEffect("k-summary", clock.now().toISOString());
    await chat.postMessage({ channel: "C-inc-7-disk-full", text: "summary", idempotencyKey: "k-summary" });
    // …and died before the update post landed.
    await store.startEffect("k-update", clock.now().toISOString());

    await runEffects({ store, chat: createChatRouter([chat]), clock, log: () => {}, ...others });
    expect(chat.posts.map((p) => p.idempotencyKey)).toEqual(["k-summary", "k-update"]);
    expect(chat.lookups).toBe(2);
    expect(await statuses(store)).toEqual([
      ["k-create", "done", 1],
      ["k-summary", "done", 2],
      ["k-update", "done", 2],
    ]);
  });

  it("without GitHub, a post-mortem is still rendered, and the channel is told where to read it", async () => {
    const store = await seeded();
    await store.commitProcessed({
      deliveryId: "d2",
      processedAt: new Date(T0).toISOString(),
      incidents: [],
      entries: [],
      effects: [{ key: "k-postmortem", incidentId: "inc-1", payload: { kind: "publish_document", document: "postmortem" } }],
    });
    const chat = scriptedChat();
    await runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others });
    await runEffects({ store, chat: createChatRouter([chat]), clock: manualClock(), log: () => {}, ...others });
    const done = (await store.effectsFor("inc-1")).find((e) => e.key === "k-postmortem")!;
    expect(done.status).toBe("done");
    expect(done.result).toEqual({ path: "postmortems/2026-11-27-inc-7-disk-full.md", pullRequest: { number: null, url: null } });
    expect(chat.posts.at(-1)!.text).toBe(
      ":page_facing_up: The post-mortem draft is ready, but GitHub is not configured for Herald, so it is not in a pull request: read it at `GET /api/incidents/inc-1/postmortem.md` and add it to `postmortems/2026-11-27-inc-7-disk-full.md` by hand.",
    );
  });
});
