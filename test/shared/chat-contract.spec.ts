// One contract for every chat adapter, each against its fake vendor, which behaves as the vendor's
// docs say: what the incident process relies on whichever platform it runs on. A post is found again
// by its key (in a thread too), a room is made once and known as Herald's, a room's name is one the
// platform takes, an edit replaces a post, what a platform cannot do fails at once saying so, and a
// busy vendor's wait is kept to.
import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import heraldYaml from "../../herald.yaml?raw";
import { createConsoleChat } from "../../src/chat/console/console-chat.js";
import { createSlackChat } from "../../src/chat/slack/slack-chat.js";
import { createTeamsChat } from "../../src/chat/teams/teams-chat.js";
import { createWorkflowsChat } from "../../src/chat/teams/workflows-chat.js";
import { loadConfig } from "../../src/config/load-config.js";
import { templates } from "../../src/generated/templates.js";
import type { ChatAdapter, ChatCapabilities } from "../../src/ports/chat.js";
import { systemClock } from "../../src/ports/clock.js";
import { createRenderer } from "../../src/render/renderer.js";
import { SLACK_TEST_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";
import { ADA, GRACE, TEAMS_APP_ID, TEAMS_CHANNELS, TEAMS_TENANT_ID, teamsConfig } from "../support/teams-requests.js";
import { DEACTIVATED_USERS } from "../support/fake-slack.js";
import { CUT_MARKER } from "../../src/chat/fit-text.js";

const url = harness.vendorsUrl;
type Running = Awaited<ReturnType<typeof harness.start>>;

/** What a message shows now: its text, and whether it has buttons. */
interface Shown {
  text: string;
  buttons: boolean;
}

/** An adapter on a fresh fake, with what the contract needs to look at it from the vendor's side. */
interface Subject {
  chat: ChatAdapter;
  /** A channel Herald may post in. */
  channel: string;
  /** Whether a post can be looked for afterwards (not through a Workflows webhook: a known window). */
  findsPosts: boolean;
  /** Makes a room of this name as a person would (not Herald), where people make rooms. */
  someoneMakes?: (name: string) => Promise<void>;
  /** How the vendor shows a message now, where it shows messages to look at. */
  shown?: (channel: string, id: string) => Promise<Shown | undefined>;
  /** Makes the vendor's next post answer this status (and Retry-After), where it can be made to. */
  failNextPost?: (status: number, retryAfter?: number) => Promise<void>;
  /** Ids of the other platforms' channels, which this one must not claim. */
  notOurs: string[];
  /** People the platform knows, and one it no longer has (a deactivated account), where it can tell. */
  people: string[];
  gone?: string;
}

const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });

const slack = async (): Promise<Subject> => ({
  chat: createSlackChat({ token: SLACK_TEST_TOKEN, apiUrl: `${url}/slack/api/` }),
  channel: TEAM_CHANNELS.team,
  findsPosts: true,
  someoneMakes: async (name) => void (await post("/slack/__channel", { name })),
  async shown(channel, id) {
    const messages = (await (await fetch(`${url}/slack/__messages`)).json()) as { channel: string; ts: string; text: string; blocks?: unknown[] }[];
    const found = messages.find((m) => m.channel === channel && m.ts === id);
    return found && { text: found.text, buttons: JSON.stringify(found.blocks ?? []).includes('"actions"') };
  },
  failNextPost: async (status, retryAfter) => void (await post("/slack/__fault/chat.postMessage", { status, retryAfter })),
  notOurs: ["console:team", TEAMS_CHANNELS.team, "a:1personal-chat"],
  people: ["U0ADA0001", "U0GRACE01"],
  gone: DEACTIVATED_USERS[0],
});

const consoleChat = async (herald: Running): Promise<Subject> => ({
  chat: createConsoleChat(herald.store, systemClock, () => {}),
  channel: "console:modernisation-platform",
  findsPosts: true,
  async shown(channel, id) {
    const found = (await herald.store.localMessagesFor(channel, [])).find((m) => m.id === id);
    return found && { text: found.text, buttons: Boolean(found.buttons?.length) };
  },
  notOurs: [TEAM_CHANNELS.team, TEAMS_CHANNELS.team],
  people: ["ada", "grace"],
});

/** A Teams group chat Herald posts in (the update channel may be one): Graph lists its messages too, and it has no threads. */
const GROUP_CHAT = "19:incident-updates@thread.v2";

const teams = async (herald: Running, room: "thread" | "channel", channel: string = TEAMS_CHANNELS.team): Promise<Subject> => {
  const renderer = createRenderer(templates, { timeZone: "Europe/London" });
  const config = loadConfig(teamsConfig(heraldYaml, room), { source: "herald.yaml", env: {}, templateNames: renderer.names });
  // Where the Bot Connector is: Teams says so in each activity it sends, and Herald keeps it.
  await herald.store.putPlatformState("teams", "service-url", `${url}/teams/connector`, new Date().toISOString());
  return {
    chat: createTeamsChat({
      credentials: { appId: TEAMS_APP_ID, password: "herald-test-teams-password", tenantId: TEAMS_TENANT_ID, loginUrl: `${url}/teams/login` },
      graphUrl: `${url}/teams/graph`,
      settings: config.teams,
      config,
      state: herald.store,
      clock: systemClock,
      log: () => {},
    }),
    channel,
    findsPosts: true,
    ...(room === "channel" ? { someoneMakes: async (name: string) => void (await post("/teams/__channel", { name })) } : {}),
    async shown(channel, id) {
      const posted = (await (await fetch(`${url}/teams/__posted`)).json()) as { channel: string; id: string; cards: { body: unknown[]; actions?: unknown[] }[] }[];
      const found = posted.find((m) => channel.startsWith(m.channel) && m.id === id);
      return found && { text: JSON.stringify(found.cards.map((c) => c.body)), buttons: found.cards.some((c) => (c.actions ?? []).length > 0) };
    },
    failNextPost: async (status, retryAfter) => void (await post("/teams/__fault", { service: "connector", status, retryAfter })),
    notOurs: [TEAM_CHANNELS.team, "console:team"],
    people: [ADA.id, GRACE.id],
  };
};

const workflows = async (): Promise<Subject> => ({
  chat: createWorkflowsChat({ team: `${url}/teams/workflow/team` }, { team: TEAMS_CHANNELS.team }),
  channel: TEAMS_CHANNELS.team,
  findsPosts: false,
  failNextPost: async (status, retryAfter) => void (await post("/teams/__fault", { service: "workflow", status, retryAfter })),
  notOurs: [TEAM_CHANNELS.team, "console:team"],
  people: [ADA.id],
});

const SUBJECTS: [string, (herald: Running) => Promise<Subject>][] = [
  ["Slack", slack],
  ["the console", consoleChat],
  ["Teams, rooms as threads", (herald) => teams(herald, "thread")],
  ["Teams, rooms as channels", (herald) => teams(herald, "channel")],
  ["Teams, posting in a group chat", (herald) => teams(herald, "thread", GROUP_CHAT)],
  ["Teams through Workflows", workflows],
];

/**
 * Titles with what each platform refuses somewhere in them, longer than any platform's room names;
 * the second all letters written as two UTF-16 units, one unit off from an even cut.
 */
const AWKWARD_TITLES = [`inc-12-Ünïcode 𠀀𠀁 🔥🔥 & slashes/colons: "quotes" <tags> #hash ~tilde ${"very long title ".repeat(6)}`, `x${"𠀀".repeat(60)}`];

/** Half of a character written as two UTF-16 code units. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The call a capability stands for, made as an effect would make it. */
const CALLS: Partial<Record<keyof ChatCapabilities, (chat: ChatAdapter, channel: string) => Promise<unknown>>> = {
  rooms: (chat) => chat.createChannel("inc-1-disk-full"),
  topics: (chat, channel) => chat.setTopic(channel, "P1 · triggered"),
  edits: (chat, channel) => chat.updateMessage(channel, "1700000000.000100", "Resolved"),
  files: (chat, channel) => chat.uploadFile(channel, { filename: "pm.ics", title: "PM", content: "BEGIN:VCALENDAR", comment: "The meeting" }),
  invites: (chat, channel) => chat.invite(channel, ["U0ADA0001"]),
};

describe.each(SUBJECTS)(`the chat contract: %s (${harness.runtime})`, (_name, make) => {
  const start = async () => {
    const herald = await harness.start({ chat: "local" });
    return { herald, ...(await make(herald)) };
  };

  it("finds a post again by its key, in the channel and in a thread, and nothing by another key", async () => {
    const { chat, channel, findsPosts } = await start();
    const root = await chat.postMessage({ channel, text: "*P1 incident 1:* Disk full", idempotencyKey: "contract:root" });
    expect(root.id).not.toBe("");
    const reply = chat.capabilities.threads ? await chat.postMessage({ channel, text: "Lead: Ada", idempotencyKey: "contract:reply", threadId: root.id }) : null;
    if (!findsPosts) {
      // Said as a known window in RELIABILITY.md: a lost answer's post may be made twice.
      expect(await chat.findPosted(channel, "contract:root")).toBeNull();
      return;
    }
    expect(await chat.findPosted(channel, "contract:root")).toMatchObject({ id: root.id });
    if (reply) expect(await chat.findPosted(channel, "contract:reply", { threadId: root.id })).toMatchObject({ id: reply.id });
    expect(await chat.findPosted(channel, "contract:never-posted")).toBeNull();
    expect(await chat.findPosted(channel, "contract:never-posted", { threadId: root.id })).toBeNull();
  });

  it("finds a post again after a busy spell, with many posts after it in the channel, looking back to when its effect was queued", async () => {
    const { chat, channel, findsPosts } = await start();
    if (!findsPosts) return;
    const since = new Date().toISOString();
    const announcement = await chat.postMessage({ channel, text: "*P1 incident 1:* Disk full", idempotencyKey: "contract:announcement" });
    // An alert storm: the update channel takes other incidents' announcements before the retry.
    for (let n = 0; n < 260; n++) await chat.postMessage({ channel, text: `*P3 incident ${n + 2}:* Slow builds`, idempotencyKey: `contract:storm:${n}` });
    expect(await chat.findPosted(channel, "contract:announcement", { since })).toMatchObject({ id: announcement.id });
    expect(await chat.findPosted(channel, "contract:never-posted", { since })).toBeNull();
  }, 60_000);

  it("makes a room once: tried again its name is taken, and the room is found as Herald's; a person's room is found as theirs", async () => {
    const { chat, someoneMakes } = await start();
    if (!chat.capabilities.rooms) return;
    const name = chat.roomName("inc-1-Disk full", 1);
    const room = await chat.createChannel(name);
    expect(room).toMatchObject({ name });
    // A retry after a lost answer: the room is there already.
    expect(await chat.createChannel(name, { triedBefore: true })).toBe("name_taken");
    expect(await chat.findRoom(name)).toEqual({ channel: { id: (room as { id: string }).id, name }, ours: true });
    expect(await chat.findRoom(chat.roomName("inc-2-Never made", 1))).toBeNull();
    if (!someoneMakes) return;
    const theirs = chat.roomName("inc-3-Made by a person", 1);
    await someoneMakes(theirs);
    expect(await chat.createChannel(theirs)).toBe("name_taken");
    expect(await chat.findRoom(theirs)).toMatchObject({ ours: false });
  });

  it("names rooms as the platform takes them, whatever the title, each attempt a new name", async () => {
    const { chat } = await start();
    if (!chat.capabilities.rooms) return;
    for (const title of AWKWARD_TITLES) {
      const names = [1, 2, 3].map((attempt) => chat.roomName(title, attempt));
      expect(new Set(names).size).toBe(3);
      for (const name of names) {
        // No character cut in two.
        expect(name).not.toMatch(LONE_SURROGATE);
        expect(await chat.createChannel(name), name).toMatchObject({ name });
      }
    }
  });

  it("replaces a post's text where it can edit, its buttons gone", async () => {
    const { chat, channel, shown } = await start();
    if (!chat.capabilities.edits || !shown) return;
    const buttons = chat.capabilities.buttons ? [{ actionId: "status_publish", label: "Publish", value: "draft-1" }] : undefined;
    const posted = await chat.postMessage({ channel, text: "Draft: we are looking into it", idempotencyKey: "contract:draft", buttons });
    expect(await shown(posted.channel, posted.id)).toMatchObject({ buttons: Boolean(buttons) });
    await chat.updateMessage(posted.channel, posted.id, "Published by Ada");
    const now = await shown(posted.channel, posted.id);
    expect(now?.text).toContain("Published by Ada");
    expect(now?.text).not.toContain("we are looking into it");
    expect(now?.buttons).toBe(false);
  });

  it("fails at once, saying so, where it cannot do what was asked (the chat layer then does the nearest thing)", async () => {
    const { chat, channel } = await start();
    for (const [capability, call] of Object.entries(CALLS) as [keyof ChatCapabilities, (typeof CALLS)[keyof ChatCapabilities]][]) {
      if (chat.capabilities[capability]) continue;
      await expect(call!(chat, channel), capability).rejects.toMatchObject({ name: "EffectError", retryable: false, message: expect.any(String) });
    }
  });

  it("keeps to a busy vendor's wait, and tries again after a failure of its own", async () => {
    const { chat, channel, failNextPost } = await start();
    if (!failNextPost) return;
    const say = () => chat.postMessage({ channel, text: "Lead: Ada", idempotencyKey: "contract:busy" });
    await failNextPost(429, 30);
    await expect(say()).rejects.toMatchObject({ name: "EffectError", retryable: true, retryAfterSeconds: 30 });
    await failNextPost(503);
    await expect(say()).rejects.toMatchObject({ name: "EffectError", retryable: true });
    await expect(say()).resolves.toMatchObject({ channel });
  });

  it("adds people to a room, someone already there being fine, and says who it could not add", async () => {
    const { chat, channel, people, gone } = await start();
    if (!chat.capabilities.invites) return;
    expect(await chat.invite(channel, people)).toEqual({ refused: [] });
    expect(await chat.invite(channel, people)).toEqual({ refused: [] });
    if (!gone) return;
    const { refused } = await chat.invite(channel, [gone, ...people]);
    expect(refused).toEqual([{ userId: gone, reason: expect.any(String) }]);
  });

  it("posts, edits and sets as topic a text longer than the platform takes: cut, saying where the rest is, not refused", async () => {
    const { chat, channel, shown } = await start();
    const line = (n: number) => `${n}: Ada <@U0ADA0001|Ada> rolled back <https://example.com/deploys/${n}|deploy ${n}> – 🔥 *still* failing\n`;
    const long = `*P1 incident 1:* Disk full\n${Array.from({ length: 1_000 }, (_, n) => line(n)).join("")}`;
    const posted = await chat.postMessage({ channel, text: long, idempotencyKey: "contract:long" });
    const whole = (text: string | undefined) => text?.includes(CUT_MARKER) || text?.includes("999: Ada");
    if (shown) expect(whole((await shown(posted.channel, posted.id))?.text)).toBe(true);
    if (chat.capabilities.edits) {
      await chat.updateMessage(posted.channel, posted.id, `${long}(updated)`);
      if (shown) expect(whole((await shown(posted.channel, posted.id))?.text)).toBe(true);
    }
    if (chat.capabilities.topics) await chat.setTopic(channel, `P1 · triggered · ${"Disk full on the primary database ".repeat(20)}`);
  });

  it("claims its own channels and not another platform's", async () => {
    const { chat, channel, notOurs } = await start();
    expect(chat.owns(channel)).toBe(true);
    for (const id of notOurs) expect(chat.owns(id), id).toBe(false);
  });
});
