import { harness } from "#harness";
import { perChannel } from "../support/per-channel.js";
import { describe, expect, it } from "vitest";
import type { SlackChatOptions } from "../../src/chat/slack/slack-chat.js";
import { deliveries } from "../support/fixtures.js";
import { retriesRun } from "../support/harness.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { events, interactions } from "../support/slack-fixtures.js";
import { signed, slashCommand } from "../support/slack-requests.js";

const auth = { headers: { authorization: "Bearer herald-test-api-token" } };
const FORM = "application/x-www-form-urlencoded";

type Running = Awaited<ReturnType<typeof harness.start>>;

/** A submitted form (view_submission), built on Slack's own payload. */
function submission(callbackId: string, values: Record<string, Record<string, unknown>>, metadata: unknown, viewId: string) {
  const payload = JSON.parse(interactions["interactivity_view_submission.java-slack-sdk.json"]!);
  payload.user = { id: "U0ADA0001", username: "ada", name: "ada", team_id: "T0TEAM" };
  payload.view.id = viewId;
  payload.view.callback_id = callbackId;
  payload.view.private_metadata = JSON.stringify(metadata);
  payload.view.state.values = Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { value }]));
  return signed(`payload=${encodeURIComponent(JSON.stringify(payload))}`, FORM);
}

/** A click on a button (block_actions), built on Slack's own payload. */
function click(actionId: string, channel: string, responseUrl: string) {
  const payload = JSON.parse(interactions["interactivity_block_actions_docs-example.java-slack-sdk.json"]!);
  payload.channel = { id: channel, name: "modernisation-platform" };
  payload.user = { id: "U0ADA0001", username: "ada", team_id: "T0TEAM" };
  payload.trigger_id = `${actionId}.${Date.now()}`;
  payload.response_url = responseUrl;
  payload.actions = [{ action_id: actionId, block_id: "triage", value: actionId, type: "button" }];
  return signed(`payload=${encodeURIComponent(JSON.stringify(payload))}`, FORM);
}

/** A message's ts from its event id: the same event, the same message. */
function mentionTs(eventId: string): string {
  let n = 0;
  for (const ch of eventId) n = (n * 31 + ch.charCodeAt(0)) % 1_000_000;
  return `1795790000.${String(n).padStart(6, "0")}`;
}

/** `@Herald …` in a channel (an app_mention event), built on Slack's own payload. */
function mention(text: string, options: { channel?: string; eventId: string; user?: string; bot?: boolean; retry?: number }) {
  const envelope = JSON.parse(events["event_callback_app_mention.slack-go.json"]!);
  envelope.event_id = options.eventId;
  envelope.event.text = text;
  envelope.event.user = options.user ?? "U0ADA0001";
  envelope.event.channel = options.channel ?? "C00000001";
  // Each message its own ts (a retry is the same message), so replies can be told apart by thread.
  envelope.event.ts = mentionTs(options.eventId);
  if (options.bot) envelope.event.bot_id = "B0OTHER01";
  return signed(JSON.stringify(envelope), "application/json").then((init) => {
    if (options.retry) (init.headers as Record<string, string>)["x-slack-retry-num"] = String(options.retry);
    return init;
  });
}

async function withIncident(): Promise<Running> {
  const herald = await harness.start();
  const [triggered] = lifecycle(deliveries);
  await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
  await herald.settle();
  return herald;
}

async function viewsOpened(herald: Running) {
  return (await herald.slackCalls()).filter((c) => c.method === "views.open").map((c) => ({ trigger: c.body.trigger_id, view: JSON.parse(String(c.body.view)) }));
}

describe(`Slack forms, buttons and mentions (${harness.runtime})`, () => {
  it("/incident declare opens the form: title, description, service, priority with definitions, notify now", async () => {
    const herald = await harness.start();
    const request = await slashCommand("declare", { channel: "C0TEAM0001" });
    const response = await herald.request("/slack/commands", request);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    const [opened, ...more] = await viewsOpened(herald);
    expect(more).toEqual([]);
    expect(opened!.trigger).toBe(new URLSearchParams(String(request.body)).get("trigger_id"));
    const view = opened!.view;
    expect(view).toMatchObject({ type: "modal", callback_id: "declare_incident", title: { text: "Declare an incident" } });
    expect(JSON.parse(view.private_metadata)).toEqual({ channel: "C0TEAM0001" });
    expect(view.blocks.filter((b: any) => b.type === "input").map((b: any) => [b.block_id, b.element.type, b.optional ?? false])).toEqual([
      ["title", "plain_text_input", false],
      ["description", "plain_text_input", true],
      ["service", "static_select", false],
      ["priority", "radio_buttons", false],
      ["notify", "checkboxes", true],
    ]);
    const service = view.blocks.find((b: any) => b.block_id === "service");
    expect(service.element.options.map((o: any) => [o.value, o.text.text])).toEqual([
      ["networking", "Networking - Modernisation Platform"],
      ["operations", "Operations - Modernisation Platform"],
      ["security", "Security - Modernisation Platform"],
    ]);
    const context = view.blocks.find((b: any) => b.type === "context");
    expect(context.elements[0].text).toBe(
      [
        "*P1*: The whole platform is down or unavailable, all user applications are unavailable",
        "*P2*: Part of the platform is down or unavailable, some user applications are impacted or unavailable",
        "*P3*: Part of the platform is down or unavailable, user applications are still available",
      ].join("\n"),
    );
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
  });

  it("a form with missing fields shows errors under them and stores nothing", async () => {
    const herald = await harness.start();
    const response = await herald.request(
      "/slack/interactions",
      await submission("declare_incident", { title: { type: "plain_text_input", value: "  " }, priority: { selected_option: { value: "P9" } } }, { channel: "C0TEAM0001" }, "V0BAD0001"),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      response_action: "errors",
      errors: { title: "Give the incident a title.", service: "Choose the impacted service.", priority: "Choose a priority." },
    });
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
  });

  it("a submitted form declares the incident, with its description, and notifies users where asked, once", async () => {
    const herald = await harness.start();
    const values = {
      title: { type: "plain_text_input", value: "Deploys to the sandbox account fail" },
      description: { type: "plain_text_input", value: "Since 09:10 every <deploy> fails with AccessDenied" },
      service: { type: "static_select", selected_option: { value: "operations" } },
      priority: { type: "radio_buttons", selected_option: { value: "P3" } },
      notify: { type: "checkboxes", selected_options: [{ value: "ask" }, { value: "update" }] },
    };
    const form = await submission("declare_incident", values, { channel: "C0TEAM0001" }, "V0DECL0001");
    const response = await herald.request("/slack/interactions", form);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    // Slack retries a submission it did not see answered: the same view is declared once.
    await herald.request("/slack/interactions", await submission("declare_incident", values, { channel: "C0TEAM0001" }, "V0DECL0001"));
    await herald.settle();
    const calls = (await herald.slackCalls()).map((c) => [c.method, c.body.channel ?? c.body.name, String(c.body.text ?? c.body.users ?? "").split("\n")] as [string, unknown, string[]]);
    // In order in each channel (the users' announcements go beside the room's work).
    expect(perChannel(calls.map(([method, channel]) => [method, channel]), (c) => c[1])).toEqual(perChannel([
      ["conversations.create", "inc-1-deploys-to-the-sandbox-account-fail"],
      ["conversations.invite", "C00000001"],
      ["chat.postMessage", "C00000001"],
      ["pins.add", "C00000001"],
      ["chat.postMessage", "C0TEAM0001"],
      ["chat.postMessage", "C0ASK00001"],
      ["chat.postMessage", "C0UPDATE01"],
      ["conversations.setTopic", "C00000001"],
      ["chat.postMessage", "C00000001"],
    ], (c) => c[1]));
    const summary = calls.find(([method, channel]) => method === "chat.postMessage" && channel === "C00000001")!;
    expect(summary[2]).toContain("Since 09:10 every &lt;deploy&gt; fails with AccessDenied");
    expect(summary[2].join("\n")).toMatch(/^:rotating_light: \*P3 incident 1: Deploys/);
    expect(calls.find(([, channel]) => channel === "C0ASK00001")![2][0]).toBe(":warning: *We are investigating an incident: Deploys to the sandbox account fail*");
    const list = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: any[] };
    expect(list.incidents).toHaveLength(1);
    expect(list.incidents[0]).toMatchObject({
      title: "Deploys to the sandbox account fail",
      description: "Since 09:10 every <deploy> fails with AccessDenied",
      priority: "P3",
      service: { id: "operations" },
      declaredBy: { id: "U0ADA0001", name: "ada" },
    });

    // A P2 is announced in the update channel by the rules already: "notify" adds no second post.
    const p2 = { ...values, priority: { selected_option: { value: "P2" } }, notify: { selected_options: [{ value: "update" }] } };
    await herald.request("/slack/interactions", await submission("declare_incident", p2, { channel: "C0TEAM0001" }, "V0DECL0002"));
    await herald.settle();
    const updates = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && c.body.channel === "C0UPDATE01");
    expect(updates).toHaveLength(2);
  });

  it("triage has buttons: Declare opens the form, Not an incident asks why and posts the issue's link through response_url", async () => {
    const herald = await harness.start();
    const response = await herald.request("/slack/commands", await slashCommand("triage", { channel: "C0TEAM0001" }));
    const body = (await response.json()) as { response_type: string; text: string; blocks: any[] };
    expect(body.response_type).toBe("ephemeral");
    expect(body.blocks[0].text.text).toBe(body.text);
    expect(body.blocks[1].elements.map((e: any) => [e.action_id, e.text.text])).toEqual([
      ["triage_declare", "Declare an incident"],
      ["triage_not_incident", "Not an incident"],
    ]);

    const responseUrl = `${harness.vendorsUrl}/slack/response/triage-1`;
    expect((await herald.request("/slack/interactions", await click("triage_declare", "C0TEAM0001", responseUrl))).status).toBe(200);
    expect((await herald.request("/slack/interactions", await click("triage_not_incident", "C0TEAM0001", responseUrl))).status).toBe(200);
    const [declareForm, notIncidentForm] = await viewsOpened(herald);
    expect(declareForm!.view.callback_id).toBe("declare_incident");
    expect(notIncidentForm!.view.callback_id).toBe("not_incident");
    const metadata = JSON.parse(notIncidentForm!.view.private_metadata);
    expect(metadata).toEqual({ channel: "C0TEAM0001", responseUrl });

    const empty = await herald.request("/slack/interactions", await submission("not_incident", { reason: { value: "" } }, metadata, "V0NOT0001"));
    expect(await empty.json()).toEqual({ response_action: "errors", errors: { reason: "Say why this is not an incident." } });
    const reason = { reason: { type: "plain_text_input", value: "a planned failover, announced last week" } };
    expect((await herald.request("/slack/interactions", await submission("not_incident", reason, metadata, "V0NOT0002"))).status).toBe(200);
    await herald.settle();
    expect((await herald.githubCalls()).map((c) => [c.method, (c.body as any).title, (c.body as any).labels])).toEqual([
      ["POST", "a planned failover, announced last week", ["not-an-incident"]],
    ]);
    const replies = (await herald.slackCalls()).filter((c) => c.method === "response_url");
    expect(replies.map((c) => c.body)).toEqual([
      {
        url: "/slack/response/triage-1",
        response_type: "in_channel",
        replace_original: false,
        text: ":clipboard: Recorded as *not an incident*: a planned failover, announced last week\nRaised <https://github.com/platform/incidents/issues/1|#1 a planned failover, announced last week> instead.",
      },
    ]);
    const list = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: unknown[] };
    expect(list.incidents).toEqual([]);
    // The same reason in another form a moment later: told in the form, which stays open; nothing filed.
    const again = await herald.request("/slack/interactions", await submission("not_incident", reason, metadata, "V0NOT0003"));
    expect(await again.json()).toEqual({
      response_action: "errors",
      errors: {
        reason:
          "📋 You said this is not an incident less than a minute ago, with the same reason: its issue is #1 a planned failover, announced last week. Nothing more is filed.",
      },
    });
    await herald.settle();
    expect(await herald.githubCalls()).toHaveLength(1);
  });

  it("without a bot token the form cannot open, and the reply says how to declare instead", async () => {
    const herald = await harness.start({ chat: "local" });
    const response = await herald.request("/slack/commands", await slashCommand("declare", { channel: "C0TEAM0001" }));
    const body = (await response.json()) as { text: string };
    expect(body.text).toBe(
      "The form needs Herald's Slack bot token (SLACK_BOT_TOKEN), which is not set. Declare without it: `/incident declare <priority> <service> <title>`.",
    );
  });

  it("@Herald takes the same commands in a channel and answers in the thread; a retried event counts once", async () => {
    const herald = await withIncident();
    const before = (await herald.slackCalls()).length;
    for (const retry of [0, 1]) {
      const response = await herald.request("/slack/events", await mention("<@U0HERALD> incident note decision: fail over to eu-west-2", { eventId: "Ev0NOTE01", retry }));
      expect(response.status).toBe(200);
    }
    await herald.request("/slack/events", await mention("<@U0HERALD> note decison: typo", { eventId: "Ev0TYPO01" }));
    await herald.request("/slack/events", await mention("<@U0HERALD> lead me", { eventId: "Ev0ELSE01", channel: "C0TEAM0001" }));
    await herald.request("/slack/events", await mention("<@U0HERALD> note from a bot", { eventId: "Ev0BOT001", bot: true }));
    await herald.settle();

    const calls = (await herald.slackCalls()).slice(before).filter((c) => c.method === "chat.postMessage").map((c) => [c.method, c.body.channel, c.body.thread_ts ?? null, String(c.body.text)]);
    // In order within each channel; answers in different channels do not wait for each other.
    calls.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(calls).toEqual([
      ["chat.postMessage", "C00000001", mentionTs("Ev0NOTE01"), "Added to the incident log as a decision."],
      ["chat.postMessage", "C00000001", mentionTs("Ev0TYPO01"), expect.stringMatching(/^'decison' is not a category[^]*\nSee `@Herald help` for every command\.$/)],
      ["chat.postMessage", "C0TEAM0001", mentionTs("Ev0ELSE01"), "`@Herald lead` works in an incident's channel. Incident channels now: <#C00000001>."],
    ]);
    expect(new Set(calls.map((c) => c[2])).size).toBe(3);
    expect((await herald.pagerdutyCalls()).filter((c) => c.method !== "GET").map((c) => c.body)).toEqual([{ note: { content: "decision: fail over to eu-west-2" } }]);
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { timeline: any[] };
    // A mention names its author by user id only: the log shows the person's Slack name.
    expect(detail.timeline.filter((e) => e.source !== "herald").slice(1).map((e) => [e.kind, e.category, e.author?.id, e.author?.name, e.text])).toEqual([
      ["note.added", "decision", "U0ADA0001", "ada", "fail over to eu-west-2"],
    ]);
  });
});

describe(`Slack replies in threads, exactly once (${harness.runtime})`, () => {
  it("answers a mention in its thread once when Slack's answer was lost: the retry finds the reply among the thread's replies, which the channel's history leaves out", async () => {
    const herald = await withIncident();
    await fetch(`${harness.vendorsUrl}/slack/__fault/chat.postMessage`, { method: "POST", body: JSON.stringify({ lose: true, channel: "C00000001" }) });
    await herald.request("/slack/events", await mention("<@U0HERALD> note decision: fail over to eu-west-2", { eventId: "Ev0LOST01" }));
    await herald.settle();
    await retriesRun(herald);
    const calls = await herald.slackCalls();
    const replies = calls.filter((c) => c.method === "chat.postMessage" && c.body.thread_ts === mentionTs("Ev0LOST01"));
    expect(replies.map((c) => c.body.text)).toEqual(["Added to the incident log as a decision."]);
    expect(calls.filter((c) => c.method === "conversations.replies").map((c) => [c.body.channel, c.body.ts])).toEqual([["C00000001", mentionTs("Ev0LOST01")]]);
    expect(await herald.store.openEffects(100)).toEqual([]);
  });
});

describe(`Slack people found by email (${harness.runtime})`, () => {
  it("asks Slack once an hour for a person, and again each time for someone it did not find", async () => {
    const running = await harness.start();
    let now = Date.parse("2026-12-04T09:00:00Z");
    const chat = await slackOnFake({ store: running.store, clock: { now: () => new Date(now) } });
    const asked = async () => (await running.slackCalls()).filter((c) => c.method === "users.lookupByEmail").map((c) => c.body.email);

    expect(await chat.userByEmail("ada@example.com")).toBe("U0ADA0001");
    expect(await chat.userByEmail("ada@example.com")).toBe("U0ADA0001");
    expect(await chat.userByEmail("nobody@example.com")).toBeNull();
    expect(await chat.userByEmail("nobody@example.com")).toBeNull();
    expect(await asked()).toEqual(["ada@example.com", "nobody@example.com", "nobody@example.com"]);

    now += 60 * 60 * 1000;
    expect(await chat.userByEmail("ada@example.com")).toBe("U0ADA0001");
    expect(await asked()).toEqual(["ada@example.com", "nobody@example.com", "nobody@example.com", "ada@example.com"]);
  });
});

/** Herald's Slack client, talking to the fake Slack (with its people cache in `cache`, when given). */
async function slackOnFake(cache?: SlackChatOptions["cache"]) {
  const { createSlackChat } = await import("../../src/chat/slack/slack-chat.js");
  const { SLACK_TEST_TOKEN } = await import("../support/test-config.js");
  return createSlackChat({ token: SLACK_TEST_TOKEN, apiUrl: `${harness.vendorsUrl}/slack/api/`, ...(cache ? { cache } : {}) });
}

/** A room made on the fake Slack through Herald's Slack client, with its members and the invitations asked so far. */
async function roomOnSlack(name: string, options: { cache?: boolean } = {}) {
  const running = await harness.start();
  const chat = await slackOnFake(options.cache ? { store: running.store, clock: { now: () => new Date("2026-12-04T09:00:00Z") } } : undefined);
  const room = await chat.createChannel(name);
  if (room === "name_taken") throw new Error("the room's name was taken");
  return {
    chat,
    room,
    members: async () => ((await (await fetch(`${harness.vendorsUrl}/slack/__members/${room.id}`)).json()) as string[]).sort(),
    invites: async () => (await running.slackCalls()).filter((c) => c.method === "conversations.invite").map((c) => c.body.users),
  };
}

describe(`Slack invitations (${harness.runtime})`, () => {
  it("adds everyone Slack will take, though it refuses someone in the same call, and says who and why", async () => {
    const { chat, room, members, invites } = await roomOnSlack("inc-7-invitations", { cache: true });

    // Ada is in already; the deactivated account makes Slack refuse the whole call (it adds no one).
    expect(await chat.invite(room.id, ["U0ADA0001"])).toEqual({ refused: [] });
    const { refused } = await chat.invite(room.id, ["U0ADA0001", "U0GONE0001", "U0GRACE01", "U0LINUS01"]);
    expect(refused).toEqual([{ userId: "U0GONE0001", reason: expect.stringContaining("deactivated") }]);
    expect(await members()).toEqual(["U0ADA0001", "U0GRACE01", "U0HERALD01", "U0LINUS01"]);
    // Asked again without those Slack named: Ada (there already) and the deactivated account.
    expect(await invites()).toEqual(["U0ADA0001", "U0ADA0001,U0GONE0001,U0GRACE01,U0LINUS01", "U0GRACE01,U0LINUS01"]);

    // Everyone there already is what was wanted; Herald itself too.
    expect(await chat.invite(room.id, ["U0GRACE01", "U0HERALD01"])).toEqual({ refused: [] });
  });

  it("takes Slack's silent failure for an account since removed: the others were added, and asking them again finds them there", async () => {
    const { chat, room, members, invites } = await roomOnSlack("inc-8-removed");
    // Slack answers with an error, yet adds everyone but the removed account (its method reference, "Partially failed calls").
    expect(await chat.invite(room.id, ["U0GONE0001", "U0GRACE01"])).toEqual({ refused: [{ userId: "U0GONE0001", reason: expect.stringContaining("deactivated") }] });
    expect(await members()).toEqual(["U0GRACE01", "U0HERALD01"]);
    expect(await invites()).toEqual(["U0GONE0001,U0GRACE01", "U0GRACE01"]);
  });

  it("sets apart a person Slack refuses for a reason its reference does not list, and adds the rest", async () => {
    const { chat, room, members, invites } = await roomOnSlack("inc-9-odd-refusal");
    // Slack names Grace with a code its method reference does not list, and adds no one.
    await fetch(`${harness.vendorsUrl}/slack/__fault/conversations.invite`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: "user_disabled_by_admin", errors: [{ user: "U0GRACE01", ok: false, error: "user_disabled_by_admin" }] }),
    });
    expect(await chat.invite(room.id, ["U0ADA0001", "U0GRACE01"])).toEqual({ refused: [{ userId: "U0GRACE01", reason: "Slack answered user_disabled_by_admin" }] });
    expect(await members()).toEqual(["U0ADA0001", "U0HERALD01"]);
    expect(await invites()).toEqual(["U0ADA0001,U0GRACE01", "U0ADA0001"]);
  });

  it("fails the call as before when Slack refuses the invitation itself, not a person", async () => {
    const chat = await slackOnFake();
    await expect(chat.invite("C0NOSUCH01", ["U0ADA0001", "U0GRACE01"])).rejects.toMatchObject({ message: "conversations.invite: channel_not_found", retryable: false });
  });
});

describe(`Slack response URLs (${harness.runtime})`, () => {
  it("follows only Slack's own response URLs", async () => {
    const { EffectError } = await import("../../src/ports/chat.js");
    const chat = await slackOnFake();
    const refused = chat.respond("https://attacker.example/collect", "C0TEAM0001", "hello", "channel");
    await expect(refused).rejects.toThrow("response_url points outside Slack (https://attacker.example)");
    await expect(refused).rejects.toBeInstanceOf(EffectError);
    await expect(refused).rejects.toMatchObject({ retryable: false });
  });
});

describe(`Slack room names (${harness.runtime})`, () => {
  it("makes any title a name Slack takes, and gives up at once on a name Slack refuses as it stands", async () => {
    await harness.start();
    const chat = await slackOnFake();

    // Too long, accented, spaced, punctuated: fitted to what Slack takes, and Slack takes it.
    const wanted = `inc-12-Ünïcode — Database "primary" is DOWN!!! ${"and more ".repeat(20)}`;
    const room = await chat.createChannel(chat.roomName(wanted, 1));
    expect(room).not.toBe("name_taken");
    const { name } = room as { name: string };
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^inc-12-unicode-database-primary-is-down-and-more-[a-z-]*[a-z]$/);
    const again = await chat.createChannel(chat.roomName(wanted, 2));
    expect((again as { name: string }).name).toMatch(/-2$/);

    // Slack's own refusals of a name, each a different error; none is worth another try.
    for (const [refused, error] of [["x".repeat(81), "invalid_name_maxlength"], ["---", "invalid_name_punctuation"], ["Inc 12", "invalid_name_specials"]]) {
      await expect(chat.createChannel(refused!)).rejects.toMatchObject({ retryable: false, message: expect.stringContaining(error!) });
    }
  });
});
