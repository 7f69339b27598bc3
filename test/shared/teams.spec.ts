// Microsoft Teams: the bot's activities verified as Microsoft requires, the incident run through
// them (rooms as threads or channels, cards with buttons, real mentions), and the outgoing webhook.
import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import heraldYaml from "../../herald.yaml?raw";
import { activitySchema } from "../../src/chat/teams/activity.js";
import { commandText } from "../../src/chat/teams/command-text.js";
import { createWorkflowsChat } from "../../src/chat/teams/workflows-chat.js";
import { deliveries } from "../support/fixtures.js";
import { retriesRun } from "../support/harness.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { teamsFixtures } from "../support/teams-fixtures.js";
import {
  ADA,
  fromBot,
  fromWebhook,
  GRACE,
  messageActivity,
  OUTGOING_WEBHOOK_SECRET,
  TEAMS_CHANNELS,
  teamsConfig,
  teamsEnv,
} from "../support/teams-requests.js";

type Running = Awaited<ReturnType<typeof harness.start>>;
const auth = { headers: { authorization: "Bearer herald-test-api-token" } };
const url = harness.vendorsUrl;

async function startTeams(room: "thread" | "channel" = "thread", workflows: Record<string, string> = {}) {
  return harness.start({ chat: "local", config: teamsConfig(heraldYaml, room, workflows), env: teamsEnv(url) });
}

/** Says something to Herald in Teams, as the bot receives it, and lets the background run. */
async function say(herald: Running, text: string, options: Parameters<typeof messageActivity>[2] = {}) {
  const response = await herald.request("/teams/messages", await fromBot(url, messageActivity(url, text, options)));
  expect(response.status, text).toBe(200);
  await herald.settle();
}

/** A P2 declared in Teams, its room's thread, and Ada as its Incident Lead. */
async function ledIncident() {
  const herald = await startTeams();
  await say(herald, "declare P2 networking VPC peering is down");
  const incident = (await herald.store.listIncidents())[0]!;
  const room = incident.channel!.id;
  await say(herald, "lead me", { conversation: room });
  return { herald, incident, room };
}

/** What the fake Bot Connector posted, roots and replies, each with its channel and cards. */
interface Posted {
  channel: string;
  id: string;
  replyToId: string | null;
  cards: any[];
}
const postedInTeams = async () => (await (await fetch(`${url}/teams/__posted`)).json()) as Posted[];

const connectorPosts = async (herald: Running) => (await herald.teamsCalls()).filter((c) => c.service === "connector");
const cardText = (activity: any): string => JSON.stringify(activity?.attachments?.[0]?.content?.body ?? []);

describe(`Teams payloads as Microsoft publishes them (${harness.runtime})`, () => {
  it("reads the docs' channel message: its mention becomes a person (from the entity, not the typed text)", () => {
    const activity = activitySchema.parse(JSON.parse(teamsFixtures.channelMessage));
    expect(commandText(activity, activity.recipient!.id)).toBe("Hey <@29:08q2j2o3jc09au90eucae> check out this message");
    // Typed text that looks like a mention, without an entity, names nobody.
    expect(commandText({ ...activity, text: "lead <at>Pranav Smith</at> <@29:forged|x>", entities: [] }, null)).toBe("lead < @29:forged|x>");
  });

  it("answers an outgoing webhook, and posts to Workflows, in the shapes Microsoft's docs show", async () => {
    const shape = (message: any) => ({ keys: Object.keys(message).sort(), type: message.type, attachment: message.attachments.map((a: any) => [a.contentType, a.content.type]) });
    const herald = await harness.start({ chat: "local", config: teamsConfig(heraldYaml, "thread", { team: `${url}/teams/workflow/team` }), env: { TEAMS_OUTGOING_WEBHOOK_SECRET: OUTGOING_WEBHOOK_SECRET } });
    const answer = await (await herald.request("/teams/messages", await fromWebhook(JSON.stringify(messageActivity(url, "help"))))).json();
    expect(shape(answer)).toEqual(shape(JSON.parse(teamsFixtures.outgoingWebhookCard)));
    await herald.request("/teams/messages", await fromWebhook(JSON.stringify(messageActivity(url, "declare P3 operations Slow builds"))));
    await herald.settle();
    const [posted] = (await herald.teamsCalls()).filter((c) => c.service === "workflow");
    const published = JSON.parse(teamsFixtures.incomingWebhookCard);
    expect(Object.keys(posted!.body).sort()).toEqual(["attachments", "type"]);
    expect(posted!.body.attachments.map((a: any) => [a.contentType, a.content.type, a.content.$schema])).toEqual(
      published.attachments.map((a: any) => [a.contentType, a.content.type, a.content.$schema]),
    );
  });
});

describe(`Teams bot activities are verified (${harness.runtime})`, () => {
  it("takes a good token, and refuses an expired one, a wrong audience or issuer, an unknown key and a serviceUrl the token does not name, storing nothing", async () => {
    const herald = await startTeams();
    const activity = messageActivity(url, "help");
    const refused: [string, RequestInit][] = [
      ["expired", await fromBot(url, activity, { expiresIn: -600 })],
      ["wrong audience", await fromBot(url, activity, { audience: "someone-else" })],
      ["wrong issuer", await fromBot(url, activity, { issuer: "https://evil.example" })],
      ["unknown key", await fromBot(url, activity, { unknownKey: true })],
      ["key endorsed for another channel", await fromBot(url, activity, { key: "webchat" })],
      ["serviceUrl", await fromBot(url, activity, { serviceUrl: "https://evil.example/connector/" })],
      ["missing", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity) }],
    ];
    for (const [why, init] of refused) {
      const response = await herald.request("/teams/messages", init);
      expect(response.status, why).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code, why).toBe("invalid_signature");
    }
    await herald.settle();
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
    expect(await connectorPosts(herald)).toEqual([]);
    // Within the five minutes' skew, an expired token is still taken; each help is answered in its thread.
    expect((await herald.request("/teams/messages", await fromBot(url, messageActivity(url, "help"), { expiresIn: -60 }))).status).toBe(200);
    expect((await herald.request("/teams/messages", await fromBot(url, messageActivity(url, "help")))).status).toBe(200);
    await herald.settle();
    const answers = await connectorPosts(herald);
    expect(answers).toHaveLength(2);
    expect(answers.every((a) => cardText(a.body).includes("Herald's commands"))).toBe(true);
  });

  it("fetches the signing keys again when a token names a key it has not seen (they rotate)", async () => {
    const herald = await startTeams();
    expect((await herald.request("/teams/messages", await fromBot(url, messageActivity(url, "help")))).status).toBe(200);
    await fetch(`${url}/teams/__rotate`, { method: "POST" });
    expect((await herald.request("/teams/messages", await fromBot(url, messageActivity(url, "help"), { key: "next" }))).status).toBe(200);
    expect((await herald.request("/teams/messages", await fromBot(url, messageActivity(url, "help"), { key: "next" }))).status).toBe(200);
    const { fetches } = (await (await fetch(`${url}/teams/__jwks_fetches`)).json()) as { fetches: number };
    // Once at first, once more for the new key; then kept.
    expect(fetches).toBe(2);
  });

  it("checks an outgoing webhook's HMAC: good, wrong, missing, or over a tampered body", async () => {
    const herald = await startTeams();
    const body = JSON.stringify(messageActivity(url, "help"));
    const good = await fromWebhook(body);
    const response = await herald.request("/teams/messages", good);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as any;
    expect(answer.type).toBe("message");
    expect(answer.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(cardText(answer)).toContain("@Herald declare");
    const wrong = await fromWebhook(body, btoa("not the webhook's key, 32 bytes!"));
    const tampered = { ...good, body: body.replace("help", "triage") };
    const missing = { method: "POST", headers: { "content-type": "application/json", authorization: "HMAC " }, body };
    for (const [why, init] of [["wrong", wrong], ["tampered", tampered], ["missing", missing]] as const) {
      expect((await herald.request("/teams/messages", init)).status, why).toBe(401);
    }
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
  });
});

describe(`an incident run from Teams (${harness.runtime})`, () => {
  it("declare → room thread → volunteers from the team channel → transfer → notes → ticket → status publish → temporary resolve → post-mortem", async () => {
    const herald = await startTeams();
    await say(herald, "declare P2 networking VPC peering is down");
    const [incident] = await herald.store.listIncidents();
    expect(incident).toMatchObject({ platform: "teams", number: 1, title: "VPC peering is down", priority: "P2" });
    // The room: a thread in the incidents channel, opened by its first post.
    const room = incident!.channel!.id;
    expect(room).toMatch(/^19:incidents@thread\.tacv2;messageid=\d+$/);
    const posts = await connectorPosts(herald);
    const opened = posts.filter((p) => p.path === `/teams/connector/v3/conversations/${encodeURIComponent(TEAMS_CHANNELS.incidents)}/activities`);
    expect(opened.map((p) => cardText(p.body).includes("Incident room: inc-1-VPC peering is down"))).toEqual([true]);
    const inRoom = posts.filter((p) => p.path.includes(encodeURIComponent(room)));
    expect(cardText(inRoom[0]!.body)).toContain("P2 incident 1: VPC peering is down");
    // The call for volunteers in the team channel, with its buttons.
    const volunteers = posts.find((p) => p.path.includes(encodeURIComponent(TEAMS_CHANNELS.team)) && cardText(p.body).includes("Volunteers wanted"))!;
    const actions = volunteers.body.attachments[0].content.actions;
    expect(actions.map((a: any) => [a.type, a.title, a.data.action])).toEqual([
      ["Action.Submit", "I'll lead", "volunteer_lead"],
      ["Action.Submit", "I'll scribe", "volunteer_scribe"],
    ]);
    // Ada clicks "I'll lead" in the team channel; Grace takes the scribe role in the room.
    await say(herald, "", { value: actions[0].data, conversation: TEAMS_CHANNELS.team });
    await say(herald, "scribe me", { from: GRACE, conversation: room });
    // Grace tries to take the lead: told how; confirms; the channel is told whom she took over from.
    await say(herald, "lead me", { from: GRACE, conversation: room });
    await say(herald, "lead me --take-over", { from: GRACE, conversation: room });
    // And hands it back to Ada, by mention.
    await say(herald, "lead @Ada Lovelace", { from: GRACE, conversation: room, mentions: [ADA] });
    const notes = ["note event: packets dropped at the peering", "note discussion: route table or NACL?", "note decision: roll back the route table change", "note action: Grace checks the NAT gateway", "note result: traffic flows again"];
    for (const note of notes) await say(herald, note, { from: GRACE, conversation: room });
    await say(herald, "ticket aws 1234567890", { conversation: room });
    await say(herald, "status draft We are rolling back a network change.", { conversation: room });
    await say(herald, "status publish", { conversation: room });
    await say(herald, "resolve --temporary restarted the NAT gateway", { conversation: room });
    await say(herald, "postmortem", { conversation: room });

    const after = (await (await herald.request(`/api/incidents/${incident!.id}`, auth)).json()) as { incident: any; timeline: any[] };
    expect(after.incident).toMatchObject({
      status: "resolved",
      roles: { lead: { id: ADA.id, name: ADA.name }, scribe: { id: GRACE.id, name: GRACE.name } },
      resolution: { note: "restarted the NAT gateway", temporary: true },
      pagerdutyId: "PDECL001",
    });
    expect(after.timeline.filter((e) => e.source === "teams").map((e) => e.text)).toEqual([
      "Declared by Ada Lovelace: VPC peering is down (P2, Networking - Modernisation Platform)",
      "Ada Lovelace is now Incident Lead",
      "Grace Hopper is now Scribe",
      "Grace Hopper is now Incident Lead (taking over from Ada Lovelace)",
      "Ada Lovelace is now Incident Lead (taking over from Grace Hopper)",
      "packets dropped at the peering",
      "route table or NACL?",
      "roll back the route table change",
      "Grace checks the NAT gateway",
      "traffic flows again",
      "Support case 1234567890 logged with AWS",
      "Resolved with a temporary fix: restarted the NAT gateway",
    ]);
    const all = await connectorPosts(herald);
    const texts = all.map((p) => cardText(p.body));
    // Grace's first try was refused in her thread, with how.
    expect(texts.some((t) => t.includes("is the Incident Lead. They can hand it on"))).toBe(true);
    // People are real mentions: the `<at>` text with its entity.
    const transfer = all.find((p) => cardText(p.body).includes("taking over from"))!;
    expect(transfer.body.attachments[0].content.msteams.entities.map((m: any) => m.mentioned.id).sort()).toEqual([ADA.id, GRACE.id].sort());
    expect(texts.some((t) => t.includes("published the update to [the status page](https://status.example.com/)") && t.includes("We are rolling back a network change."))).toBe(true);
    expect(after.timeline.filter((e: any) => e.kind === "note.added").map((e: any) => e.category)).toEqual(["event", "discussion", "decision", "action", "result"]);
    expect(texts.some((t) => t.includes("Follow-up for the permanent fix"))).toBe(true);
    expect(texts.some((t) => t.includes("post-mortem draft is ready"))).toBe(true);
    // The same vendors as from Slack.
    expect((await herald.pagerdutyCalls()).filter((c) => c.method !== "GET").map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /pagerduty/incidents",
      ...notes.map(() => "POST /pagerduty/incidents/PDECL001/notes"),
      "POST /pagerduty/status_pages/PSTATUS1/posts",
      "PUT /pagerduty/incidents/PDECL001",
    ]);
    // One app token, kept: asked for once (nothing was lost, so Graph was never asked to look).
    expect((await herald.teamsCalls()).filter((c) => c.service === "token")).toHaveLength(1);
  });

  it("triage → the declare form as a card → submitted, the incident with its description; a bad submission is answered with what is wrong", async () => {
    const herald = await startTeams();
    await say(herald, "triage");
    const triage = (await connectorPosts(herald)).at(-1)!;
    expect(cardText(triage.body)).toContain("Is this an incident?");
    const buttons = triage.body.attachments[0].content.actions.map((a: any) => a.data);
    expect(buttons.map((b: any) => b.action)).toEqual(["triage_declare", "triage_not_incident"]);
    await say(herald, "", { value: buttons[0] });
    const form = (await connectorPosts(herald)).at(-1)!;
    const card = form.body.attachments.at(-1).content;
    expect(card.body.filter((b: any) => b.type.startsWith("Input.")).map((b: any) => [b.type, b.id])).toEqual([
      ["Input.Text", "title"],
      ["Input.Text", "description"],
      ["Input.ChoiceSet", "service"],
      ["Input.ChoiceSet", "priority"],
      ["Input.Toggle", "notify_ask"],
      ["Input.Toggle", "notify_update"],
    ]);
    // Each priority with its definition.
    expect(card.body.find((b: any) => b.id === "priority").choices[0].title).toBe("P1: The whole platform is down or unavailable, all user applications are unavailable");
    const submit = card.actions[0].data;
    await say(herald, "", { value: { ...submit, title: "", service: "networking", priority: "P9" } });
    expect(cardText((await connectorPosts(herald)).at(-1)!.body)).toContain("Give the incident a meaningful title. Choose a priority.");
    expect(await herald.store.listIncidents()).toEqual([]);
    await say(herald, "", { value: { ...submit, title: "Deploys fail", description: "Every *deploy* fails with AccessDenied", service: "operations", priority: "P2", notify_ask: "false", notify_update: "true" } });
    const [incident] = await herald.store.listIncidents();
    expect(incident).toMatchObject({ title: "Deploys fail", description: "Every *deploy* fails with AccessDenied", priority: "P2", platform: "teams", declaredBy: { id: ADA.id, name: ADA.name } });
    const summary = (await connectorPosts(herald)).find((p) => cardText(p.body).includes("P2 incident 1: Deploys fail"))!;
    // The user's asterisks show as written, not as bold.
    expect(cardText(summary.body)).toContain("Every *\u200bdeploy*\u200b fails");
    // "Not an incident" asks for the reason.
    await say(herald, "", { value: buttons[1] });
    expect(cardText((await connectorPosts(herald)).at(-1)!.body)).toContain("Say why this is not an incident");
  });

  it("files a not-incident said again with the same reason once, and answers the second in its thread", async () => {
    const herald = await startTeams();
    await say(herald, "not-incident a load test from the perf team");
    await say(herald, "not-incident a load test from the perf team");
    expect((await herald.githubCalls()).filter((c) => c.method === "POST")).toHaveLength(1);
    const answer = (await connectorPosts(herald)).at(-1)!;
    expect(decodeURIComponent(answer.path)).toContain(";messageid=");
    expect(cardText(answer.body)).toContain("You said this is not an incident less than a minute ago, with the same reason: its issue is");
    expect(cardText(answer.body)).toContain("Nothing more is filed.");
  });

  it("declares once when the same person says the same declare again, and answers the second in its thread", async () => {
    const herald = await startTeams();
    await say(herald, "declare P2 networking VPC peering is down");
    await say(herald, "declare P2 networking VPC peering is down");
    expect((await herald.store.listIncidents()).map((i) => i.title)).toEqual(["VPC peering is down"]);
    const answer = (await connectorPosts(herald)).at(-1)!;
    expect(decodeURIComponent(answer.path)).toContain(";messageid=");
    expect(cardText(answer.body)).toContain("You declared **VPC peering is down** less than a minute ago, and it is still open: its channel is #inc-1-VPC peering is down.");
    expect(cardText(answer.body)).toContain("Nothing more is declared.");
    // Another person: an incident of their own.
    await say(herald, "declare P2 networking VPC peering is down", { from: GRACE });
    expect(await herald.store.listIncidents()).toHaveLength(2);
  });

  it("takes commands in a personal chat with the bot, answered there", async () => {
    const herald = await startTeams();
    const personal = { ...messageActivity(url, "help", { conversation: "a:1personal-chat-with-ada" }), conversation: { id: "a:1personal-chat-with-ada", conversationType: "personal", tenantId: "t" } };
    expect((await herald.request("/teams/messages", await fromBot(url, personal))).status).toBe(200);
    await herald.settle();
    const [answer] = await connectorPosts(herald);
    expect(answer!.path).toBe(`/teams/connector/v3/conversations/${encodeURIComponent("a:1personal-chat-with-ada")}/activities`);
    expect(cardText(answer!.body)).toContain("Herald's commands");
  });

  it("gets a new token when the Bot Connector refuses the kept one before it expires (revoked), and posts once", async () => {
    const herald = await startTeams();
    await say(herald, "help");
    await fetch(`${url}/teams/__revoke`, { method: "POST" });
    await say(herald, "help");
    const calls = (await herald.teamsCalls()).filter((c) => c.service === "token" || c.service === "connector").map((c) => c.service);
    // The second answer: refused with the old token, then sent once with the new one.
    expect(calls).toEqual(["token", "connector", "connector", "token", "connector"]);
    expect((await connectorPosts(herald)).map((c) => cardText(c.body).includes("Herald's commands"))).toEqual([true, true, true]);
  });

  it("publishes from a status draft card's button only the draft that card shows", async () => {
    const { herald, incident, room } = await ledIncident();
    await say(herald, "status draft We are rolling back a network change.", { conversation: room });
    await say(herald, "status draft The rollback is done; traffic flows again.", { conversation: room });
    const publishes = (await connectorPosts(herald))
      .filter((p) => p.method === "POST" && p.path.includes(encodeURIComponent(room)) && cardText(p.body).includes("Status page"))
      .map((p) => p.body.attachments[0].content.actions[0].data);
    // The incident's own draft, then the two written ones.
    expect(publishes.map((d: any) => d.action)).toEqual(["status_publish", "status_publish", "status_publish"]);
    const said = async () => cardText((await connectorPosts(herald)).at(-1)!.body);
    // Each replaced draft's card is edited in place to say so, without its button.
    const edits = (await connectorPosts(herald)).filter((p) => p.method === "PUT");
    expect(edits.map((p) => [cardText(p.body).includes("this draft was replaced by a newer one"), p.body.attachments[0].content.actions ?? null])).toEqual([
      [true, null],
      [true, null],
    ]);

    await say(herald, "", { value: publishes[1], conversation: room });
    expect(await said()).toContain("that Publish button is under an earlier draft, since replaced: nothing was published");
    expect((await herald.pagerdutyCalls()).filter((c) => c.path.includes("/status_pages/"))).toEqual([]);
    await say(herald, "", { value: publishes[2], conversation: room });
    expect((await herald.store.getIncident(incident.id))!.statusPage!.published.map((p) => [p.message, p.by.name])).toEqual([["The rollback is done; traffic flows again.", ADA.name]]);
    // The published draft's card says who published it, and loses its button too.
    const last = (await connectorPosts(herald)).filter((p) => p.method === "PUT").at(-1)!;
    expect([cardText(last.body), last.body.attachments[0].content.actions ?? null]).toEqual([expect.stringContaining("this update was published"), null]);
    expect(cardText(last.body)).toContain(ADA.name);
  });

  it("brings the users' announcement out already up to date in place when announce is said again, rather than posting a second", async () => {
    const { herald, incident, room } = await ledIncident();
    const [standing] = (await herald.store.getIncident(incident.id))!.announcements!;
    await say(herald, "announce update", { conversation: room });
    const announcements = (await postedInTeams()).filter((m) => m.channel === TEAMS_CHANNELS.update && JSON.stringify(m.cards).includes("VPC peering is down"));
    expect(announcements.map((m) => m.id)).toEqual([standing!.messageId]);
    const edits = (await connectorPosts(herald)).filter((p) => p.method === "PUT" && p.path.includes(encodeURIComponent(TEAMS_CHANNELS.update)));
    expect(edits.map((p) => cardText(p.body).includes("VPC peering is down"))).toEqual([true]);
    expect((await herald.store.getIncident(incident.id))!.announcements).toEqual([standing]);
  });

  it("files a message in the log with the “Add to incident log” message action", async () => {
    const herald = await startTeams();
    await say(herald, "declare P2 networking VPC peering is down");
    const room = (await herald.store.listIncidents())[0]!.channel!.id;
    const invoke = {
      ...messageActivity(url, "", { conversation: room, from: GRACE }),
      type: "invoke",
      name: "composeExtension/submitAction",
      text: undefined,
      entities: [],
      value: { commandId: "add_to_incident_log", commandContext: "message", messagePayload: { body: { contentType: "html", content: "<p>decision: fail over to eu-west-2</p>" } } },
    };
    const response = await herald.request("/teams/messages", await fromBot(url, invoke));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ composeExtension: { type: "message", text: "Added to the incident log." } });
    await herald.settle();
    const detail = (await (await herald.request(`/api/incidents/${(await herald.store.listIncidents())[0]!.id}`, auth)).json()) as { timeline: any[] };
    expect(detail.timeline.filter((e: any) => e.kind === "note.added").map((e: any) => [e.category, e.author.name, e.text])).toEqual([["decision", GRACE.name, "fail over to eu-west-2"]]);
  });

  it("waits for the Bot Connector's address: a page before any Teams activity is tried again, and made once Herald is mentioned", async () => {
    const herald = await startTeams();
    const [triggered] = lifecycle(deliveries);
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body))).status).toBe(202);
    await herald.settle();
    // Not given up: waiting, with what to do in its error (the console's front page shows it).
    expect((await herald.store.failedEffects({ limit: 10 })).items).toEqual([]);
    const waiting = await herald.store.openEffects(100);
    const errors = new Set(waiting.flatMap((e) => (e.lastError ? [e.lastError] : [])));
    expect([...errors]).toEqual(["no Teams activity has reached Herald yet, so the Bot Connector's address is unknown: mention Herald in the team once"]);
    // Someone mentions Herald; the retries find the address and make the room and its posts.
    await say(herald, "help");
    await retriesRun(herald);
    expect((await herald.store.getIncident("PFQZPSY"))!.channel!.id).toMatch(/^19:incidents@thread\.tacv2;messageid=\d+$/);
    expect(await herald.store.openEffects(100)).toEqual([]);
    expect((await herald.store.failedEffects({ limit: 10 })).items).toEqual([]);
  });

  it("posts each card once when the Bot Connector loses its answers after posting, finding the post or the room's thread through Graph", async () => {
    const herald = await startTeams();
    const lose = (conversation?: string) => fetch(`${url}/teams/__fault`, { method: "POST", body: JSON.stringify({ service: "connector", lose: true, conversation }) });
    // Three posts are made and their answers lost: the room's thread, and the first two others.
    await lose(TEAMS_CHANNELS.incidents);
    await lose();
    await lose();
    await say(herald, "declare P2 networking VPC peering is down");
    await retriesRun(herald);
    await retriesRun(herald);
    const incident = (await herald.store.listIncidents())[0]!;
    expect(incident.channel!.id).toMatch(/^19:incidents@thread\.tacv2;messageid=\d+$/);
    const posted = async () => (await postedInTeams()).filter((m) => m.cards.length > 0);
    const marks = (await posted()).map((m) => m.cards[0].body[0].id as string);
    expect(marks.filter((m) => m.startsWith("herald-room:"))).toEqual(["herald-room:inc-1-VPC peering is down"]);
    expect(new Set(marks).size).toBe(marks.length);
    // Each card was sent once: the three whose answers were lost were found, not sent again.
    const sends = (await connectorPosts(herald)).filter((c) => c.method === "POST");
    expect(sends).toHaveLength(marks.length);
    const looked = (await herald.teamsCalls()).filter((c) => c.service === "graph" && c.method === "GET" && c.path.includes("/messages"));
    expect(looked.length).toBeGreaterThanOrEqual(3);
    expect(await herald.store.openEffects(100)).toEqual([]);

    // Without the team's consent to read its messages, a lost answer's post is made again rather than held up.
    await fetch(`${url}/teams/__rsc`, { method: "POST", body: JSON.stringify({ channelMessages: false }) });
    await lose();
    await say(herald, "note decision: roll back the peering change", { conversation: incident.channel!.id });
    await retriesRun(herald);
    const answers = (await posted()).filter((m) => JSON.stringify(m.cards).includes("Added to the incident log"));
    expect(answers).toHaveLength(2);
    expect(await herald.store.openEffects(100)).toEqual([]);
  });

  it("posts once what it posts in place of a topic or a file when the Bot Connector loses its answer", async () => {
    const herald = await startTeams();
    const lose = (containing: string) => fetch(`${url}/teams/__fault`, { method: "POST", body: JSON.stringify({ service: "connector", lose: true, containing }) });
    // Teams has no channel topics and the bot shares no files: each is a post, whose answer is lost once.
    await lose("Now:");
    await lose("save it as a file");
    await say(herald, "declare P2 networking VPC peering is down");
    const incident = (await herald.store.listIncidents())[0]!;
    await say(herald, "postmortem schedule 2099-12-01 14:00", { conversation: incident.channel!.id });
    await retriesRun(herald);
    await retriesRun(herald);
    expect(await (await fetch(`${url}/teams/__faults`)).json()).toEqual({});
    expect(await herald.store.openEffects(100)).toEqual([]);

    const posted = (await postedInTeams()).filter((m) => m.cards.length > 0);
    const texts = posted.map((m) => JSON.stringify(m.cards));
    expect(texts.filter((t) => t.includes("Now:")).length).toBeGreaterThanOrEqual(1);
    expect(texts.filter((t) => t.includes("save it as a file"))).toHaveLength(1);
    const marks = posted.map((m) => m.cards[0].body[0].id as string);
    expect(new Set(marks).size).toBe(marks.length);
    // Each was sent once: the two whose answers were lost were found through Graph.
    expect((await connectorPosts(herald)).filter((c) => c.method === "POST")).toHaveLength(marks.length);
  });

  it("finds a post whose answer was lost behind old messages edited since, which Graph lists first as it lists a channel's by when each was last modified", async () => {
    const herald = await startTeams();
    await fetch(`${url}/teams/__fault`, { method: "POST", body: JSON.stringify({ service: "connector", lose: true, conversation: TEAMS_CHANNELS.update }) });
    await say(herald, "declare P2 networking VPC peering is down");
    // Before the retry, 60 messages posted an hour ago are edited (or reacted to): the first page is all of them.
    await fetch(`${url}/teams/__old_messages`, { method: "POST", body: JSON.stringify({ channel: TEAMS_CHANNELS.update, count: 60, minutesAgo: 60 }) });
    await retriesRun(herald);

    const announcements = (await postedInTeams()).filter((m) => m.channel === TEAMS_CHANNELS.update && JSON.stringify(m.cards).includes("VPC peering is down"));
    expect(announcements).toHaveLength(1);
    const pages = (await herald.teamsCalls()).filter((c) => c.service === "graph" && c.path.includes(encodeURIComponent(TEAMS_CHANNELS.update)));
    expect(pages).toHaveLength(2);
    expect(await herald.store.openEffects(100)).toEqual([]);
  });

  it("waits for Graph when it is throttled or failing before looking for a post whose answer was lost, rather than posting it blind", async () => {
    const herald = await startTeams();
    const fault = (body: object) => fetch(`${url}/teams/__fault`, { method: "POST", body: JSON.stringify(body) });
    await fault({ service: "connector", lose: true, conversation: TEAMS_CHANNELS.update });
    await fault({ service: "graph-read", status: 429, retryAfter: 7 });
    await fault({ service: "graph-read", status: 503 });
    await say(herald, "declare P2 networking VPC peering is down");
    // The retry looks first: Graph throttles it, then fails it, and the post waits each time.
    const lookupErrors = async () => (await herald.store.openEffects(100)).flatMap((e) => (e.lastError?.includes("Graph list channel messages") ? [e.lastError] : []));
    await retriesRun(herald);
    expect(await lookupErrors()).toEqual([expect.stringContaining("HTTP 429")]);
    // …no sooner than Graph's Retry-After.
    const next = (await herald.store.openEffects(100)).find((e) => e.lastError?.includes("HTTP 429"))!.nextAttemptAt;
    expect(Date.parse(next) - Date.now()).toBeGreaterThan(5_000);
    await retriesRun(herald);
    expect(await lookupErrors()).toEqual([expect.stringContaining("HTTP 503")]);
    await retriesRun(herald);

    expect(await (await fetch(`${url}/teams/__faults`)).json()).toEqual({});
    const announcements = (await postedInTeams()).filter((m) => m.channel === TEAMS_CHANNELS.update && JSON.stringify(m.cards).includes("VPC peering is down"));
    expect(announcements).toHaveLength(1);
    expect(await herald.store.openEffects(100)).toEqual([]);
  });

  it("posts once in a group chat when the Bot Connector loses its answer, found among the chat's messages through Graph; a chat has no threads, so the resolution goes in the chat", async () => {
    const chat = "19:incident-updates@thread.v2";
    const config = teamsConfig(heraldYaml).replace(`update: "${TEAMS_CHANNELS.update}"`, `update: "${chat}"`);
    const herald = await harness.start({ chat: "local", config, env: teamsEnv(url) });
    const lose = () => fetch(`${url}/teams/__fault`, { method: "POST", body: JSON.stringify({ service: "connector", lose: true, conversation: chat }) });
    const inChat = async () => (await postedInTeams()).filter((m) => m.channel === chat);
    // The users' announcement, posted in the chat with its answer lost.
    await lose();
    await say(herald, "declare P2 networking VPC peering is down");
    await retriesRun(herald);
    const room = (await herald.store.listIncidents())[0]!.channel!.id;
    expect((await inChat()).map((m) => m.cards[0].body[0].id)).toEqual([expect.stringMatching(/^herald-post:/)]);
    const looked = (await herald.teamsCalls()).filter((c) => c.service === "graph" && c.path.startsWith("/teams/graph/chats/"));
    expect(looked.map((c) => c.path)).toEqual([`/teams/graph/chats/${encodeURIComponent(chat)}/messages?$top=50&$orderby=createdDateTime%20desc`]);

    // The resolution, its answer lost too: in the chat itself (a thread there is refused), once.
    await say(herald, "lead me", { conversation: room });
    await lose();
    await say(herald, "resolve restarted the NAT gateway", { conversation: room });
    await retriesRun(herald);
    const posted = await inChat();
    expect(posted).toHaveLength(2);
    expect(posted.every((m) => m.replyToId === null)).toBe(true);
    expect(JSON.stringify(posted[1]!.cards)).toContain("Resolved: VPC peering is down");
    expect((await connectorPosts(herald)).filter((c) => c.method === "POST" && c.path.includes(encodeURIComponent(chat)))).toHaveLength(2);
    expect(await herald.store.openEffects(100)).toEqual([]);

    // Without the chat's consent to read its messages, a lost answer's post is made again rather than held up.
    await fetch(`${url}/teams/__rsc`, { method: "POST", body: JSON.stringify({ chatMessages: false }) });
    await lose();
    await say(herald, "declare P2 networking Disks are full");
    await retriesRun(herald);
    expect((await inChat()).filter((m) => JSON.stringify(m.cards).includes("Disks are full"))).toHaveLength(2);
    expect(await herald.store.openEffects(100)).toEqual([]);
  });

  it("makes each incident a channel through Graph where permitted: names fitted to 50 characters, a taken one suffixed, a thread when Graph refuses", async () => {
    const herald = await startTeams("channel");
    await say(herald, "declare P2 networking A title far longer than a Teams channel name may be: fifty characters at most");
    const graph = (await herald.teamsCalls()).filter((c) => c.service === "graph" && c.method === "POST");
    expect(graph.map((c) => c.body.displayName)).toEqual(["inc-1-A title far longer than a Teams channel name"]);
    const [first] = await herald.store.listIncidents();
    expect(first!.channel).toEqual({ id: expect.stringMatching(/^19:channel\d+@thread\.tacv2$/), name: "inc-1-A title far longer than a Teams channel name" });

    await fetch(`${url}/teams/__fault`, { method: "POST", body: JSON.stringify({ service: "graph", status: 403 }) });
    await say(herald, "declare P3 operations Disks are full");
    const second = (await herald.store.listIncidents()).find((i) => i.title === "Disks are full")!;
    expect(second.channel!.id).toMatch(/^19:incidents@thread\.tacv2;messageid=/);
  });
});

describe(`Teams without a bot: the outgoing webhook and Workflows (${harness.runtime})`, () => {
  it("answers commands in the same request and posts announcements through the channel's Workflows webhook", async () => {
    const herald = await harness.start({
      chat: "local",
      config: teamsConfig(heraldYaml, "thread", { update: `${url}/teams/workflow/update`, team: `${url}/teams/workflow/team` }),
      env: { TEAMS_OUTGOING_WEBHOOK_SECRET: OUTGOING_WEBHOOK_SECRET },
    });
    const declare = await herald.request("/teams/messages", await fromWebhook(JSON.stringify(messageActivity(url, "declare P1 networking Everything is down"))));
    expect(declare.status).toBe(200);
    expect(cardText(await declare.json())).toContain("Declaring **Everything is down** (P1, networking)");
    await herald.settle();
    const workflows = (await herald.teamsCalls()).filter((c) => c.service === "workflow");
    expect(workflows.map((c) => [c.path, cardText(c.body).includes("Everything is down")])).toEqual(
      expect.arrayContaining([
        ["/teams/workflow/team", true],
        ["/teams/workflow/update", true],
      ]),
    );
    const [incident] = await herald.store.listIncidents();
    // Workflows cannot make rooms: the channel it was declared in is its room, and that is said there, once.
    expect(incident).toMatchObject({ platform: "teams", title: "Everything is down", channel: { id: TEAMS_CHANNELS.team } });
    const inTeam = (await herald.teamsCalls()).filter((c) => c.path === "/teams/workflow/team").map((c) => cardText(c.body));
    expect(inTeam.filter((t) => t.includes("Herald could not make a room for this incident"))).toHaveLength(1);
    expect(inTeam.some((t) => t.includes("P1 incident 1: Everything is down"))).toBe(true);
    // The incident's commands work in that channel, answered in the same request.
    const lead = await herald.request("/teams/messages", await fromWebhook(JSON.stringify(messageActivity(url, "lead me"))));
    expect(cardText(await lead.json())).toContain("You are now the Incident Lead");
    await herald.settle();
    expect((await herald.store.getIncident(incident!.id))!.roles.lead).toEqual(ADA);
    const told = (await herald.teamsCalls()).filter((c) => c.path === "/teams/workflow/team").map((c) => cardText(c.body));
    expect(told.some((t) => t.includes("is now the **Incident Lead**"))).toBe(true);
    const mistake = await herald.request("/teams/messages", await fromWebhook(JSON.stringify(messageActivity(url, "frobnicate"))));
    expect(cardText(await mistake.json())).toContain("Unknown command 'frobnicate'");
  });

  it("answers a not-incident said again at once, filing nothing more", async () => {
    const herald = await harness.start({
      chat: "local",
      config: teamsConfig(heraldYaml, "thread", { update: `${url}/teams/workflow/update`, team: `${url}/teams/workflow/team` }),
      env: { TEAMS_OUTGOING_WEBHOOK_SECRET: OUTGOING_WEBHOOK_SECRET },
    });
    const say = async (text: string) => cardText(await (await herald.request("/teams/messages", await fromWebhook(JSON.stringify(messageActivity(url, text))))).json());
    expect(await say("not-incident a load test from the perf team")).toContain("Recorded as not an incident");
    await herald.settle();
    const again = await say("not-incident A load test from the perf team");
    expect(again).toContain("You said this is not an incident less than a minute ago, with the same reason: its issue is");
    expect(again).toContain("Nothing more is filed.");
    await herald.settle();
    expect((await herald.githubCalls()).filter((c) => c.method === "POST")).toHaveLength(1);
  });

  it("waits as long as a throttled Workflows webhook asks, and tries a failing one again", async () => {
    await harness.start({ chat: "local" });
    const chat = createWorkflowsChat({ update: `${url}/teams/workflow/update` }, {});
    const fault = (f: { status: number; retryAfter?: number }) => fetch(`${url}/teams/__fault`, { method: "POST", body: JSON.stringify({ service: "workflow", ...f }) });
    const post = () => chat.postMessage({ channel: "update", text: "P1 incident 1: Everything is down", idempotencyKey: "k" });
    await fault({ status: 429, retryAfter: 30 });
    await fault({ status: 502 });
    await fault({ status: 400 });
    await expect(post()).rejects.toMatchObject({ name: "EffectError", retryable: true, retryAfterSeconds: 30 });
    await expect(post()).rejects.toMatchObject({ retryable: true, retryAfterSeconds: undefined });
    await expect(post()).rejects.toMatchObject({ retryable: false });
    await expect(post()).resolves.toMatchObject({ channel: "update" });
  });
});
