// The incident process as the people in it meet it: exactly once for what Herald makes, PagerDuty
// as the process uses it, who may do what, and the records. Each case failed before its fix.
import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { retriesRun } from "../support/harness.js";
import heraldYaml from "../../herald.yaml?raw";
import { deliveries } from "../support/fixtures.js";
import { interactions } from "../support/slack-fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { signed, slashCommand } from "../support/slack-requests.js";
import { GITHUB_REPO, GITHUB_TOKEN, toTestConfig } from "../support/test-config.js";

type Running = Awaited<ReturnType<typeof harness.start>>;
const auth = { headers: { authorization: "Bearer herald-test-api-token" } };
const grace = { user: "U0GRACE01", userName: "grace" };

/** Queues a fault in a fake vendor (slack: by Web API method; pagerduty and github: by "METHOD route"). */
async function fault(vendor: "slack" | "pagerduty" | "github", call: string, what: Record<string, unknown>) {
  const url = vendor === "slack" ? `${harness.vendorsUrl}/slack/__fault/${call}` : `${harness.vendorsUrl}/${vendor}/__fault`;
  await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(vendor === "slack" ? what : { call, ...what }) });
}

async function say(herald: Running, text: string, options: Parameters<typeof slashCommand>[1] = {}) {
  const response = await herald.request("/slack/commands", await slashCommand(text, options));
  await herald.settle();
  return ((await response.json()) as { text: string }).text;
}

async function declare(herald: Running, words = "P2 networking VPC peering is down", user?: { user: string; userName: string }) {
  const before = new Set((await herald.store.listIncidents()).map((i) => i.id));
  await say(herald, `declare ${words}`, { channel: "C0TEAM0001", ...user });
  const list = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: any[] };
  return list.incidents.find((i) => !before.has(i.id))!;
}

async function withAlarm(herald: Running) {
  const [triggered] = lifecycle(deliveries);
  await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
  await herald.settle();
}

/** A fresh Herald with the alarm's incident, led by the one who says the commands. */
async function ledAlarm(): Promise<Running> {
  const herald = await harness.start();
  await withAlarm(herald);
  await say(herald, "lead me");
  return herald;
}

function click(actionId: string, channel: string, value: string, user: { id: string; username: string }, responseUrl: string) {
  const payload = JSON.parse(interactions["interactivity_block_actions_docs-example.java-slack-sdk.json"]!);
  payload.channel = { id: channel, name: "somewhere" };
  payload.user = { ...user, team_id: "T0TEAM" };
  payload.trigger_id = `${actionId}.${user.id}.${Date.now()}`;
  payload.response_url = responseUrl;
  payload.actions = [{ action_id: actionId, block_id: "b", value, type: "button" }];
  return signed(`payload=${encodeURIComponent(JSON.stringify(payload))}`, "application/x-www-form-urlencoded");
}

describe(`exactly once, for everything Herald makes (${harness.runtime})`, () => {
  it("finds the room an attempt made when its answer was lost, instead of opening -2; a name someone else took still gets -2", async () => {
    const herald = await harness.start();
    await fault("slack", "conversations.create", { lose: true });
    const incident = await declare(herald);
    expect(incident.channel).toBeNull();
    await retriesRun(herald);
    const creates = (await herald.slackCalls()).filter((c) => c.method === "conversations.create").map((c) => c.body.name);
    expect(creates).toEqual(["inc-1-vpc-peering-is-down", "inc-1-vpc-peering-is-down"]);
    const after = (await (await herald.request(`/api/incidents/${incident.id}`, auth)).json()) as { incident: any };
    expect(after.incident.channel).toEqual({ id: "C00000001", name: "inc-1-vpc-peering-is-down" });

    // Someone else's channel under the next incident's name: Herald's room gets the suffix.
    await fetch(`${harness.vendorsUrl}/slack/__channel`, { method: "POST", body: JSON.stringify({ name: "inc-2-disks-are-full" }) });
    const second = await declare(herald, "P2 operations Disks are full");
    expect(second.channel.name).toBe("inc-2-disks-are-full-2");
  });

  it("files a GitHub issue and adds a PagerDuty note once when the first answer was lost", async () => {
    const herald = await ledAlarm();
    await fault("pagerduty", "POST /incidents/:id/notes", { lose: true });
    await say(herald, "note decision: roll back");
    await retriesRun(herald);
    const notes = (await herald.pagerdutyCalls()).filter((c) => c.path.endsWith("/notes"));
    expect(notes.map((c) => c.method)).toEqual(["POST", "GET"]);

    await fault("github", "POST issues", { lose: true });
    await say(herald, "resolve --temporary restarted the NAT gateway");
    await retriesRun(herald);
    const github = (await herald.githubCalls()).map((c) => `${c.method} ${c.path.split("?")[0]}`);
    expect(github).toEqual(["POST /github/repos/platform/incidents/issues", "GET /github/repos/platform/incidents/issues"]);
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { incident: any };
    expect(detail.incident.followUps).toEqual([{ title: "Permanent fix for: Test Incident 3", url: expect.stringMatching(/\/issues\/\d+$/), number: expect.any(Number) }]);
    const links = (await herald.slackCalls()).filter((c) => String(c.body.text).startsWith(":link:"));
    expect(links).toHaveLength(1);
  });

  it("files a follow-up once when its answer was lost and 150 issues with its label were filed before the retry", async () => {
    const herald = await ledAlarm();
    await fault("github", "POST issues", { lose: true });
    await say(herald, "resolve --temporary restarted the NAT gateway");
    const [filed] = (await herald.githubCalls()).filter((c) => c.method === "POST");
    // An alert storm: other follow-ups with the same label, newer than the lost one.
    for (let n = 0; n < 150; n++) {
      await fetch(`${harness.vendorsUrl}/github/repos/${GITHUB_REPO}/issues`, {
        method: "POST",
        headers: { authorization: `Bearer ${GITHUB_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Permanent fix for: storm ${n}`, labels: (filed!.body as { labels: string[] }).labels }),
      });
    }
    await retriesRun(herald);
    const issues = (await (await fetch(`${harness.vendorsUrl}/github/__issues`)).json()) as { title: string }[];
    expect(issues.filter((i) => i.title === "Permanent fix for: Test Incident 3")).toHaveLength(1);
    const looked = (await herald.githubCalls()).filter((c) => c.method === "GET" && c.path.includes("/issues?"));
    expect(looked.length).toBe(2);
    expect(looked[0]!.path).toMatch(/since=/);
  });

  it("resolves in PagerDuty once when the first answer was lost: PagerDuty's refusal of a second resolve is taken as done, after looking", async () => {
    const herald = await ledAlarm();
    await fault("pagerduty", "PUT /incidents/:id", { lose: true });
    await say(herald, "resolve restarted the NAT gateway");
    await retriesRun(herald);
    const calls = (await herald.pagerdutyCalls()).filter((c) => c.path === "/pagerduty/incidents/PFQZPSY").map((c) => c.method);
    expect(calls).toEqual(["PUT", "PUT", "GET"]);
    const incidentId = (await herald.store.getIncident("PFQZPSY"))!.id;
    const resolve = (await herald.store.effectsFor(incidentId)).find((e) => e.payload.kind === "pagerduty_resolve")!;
    expect([resolve.status, resolve.attempts]).toEqual(["done", 2]);
    expect((await herald.slackCalls()).filter((c) => String(c.body.text).includes("Herald could not"))).toEqual([]);
  });

  it("waits out PagerDuty's rate limit until its ratelimit-reset (it sends no Retry-After), then adds the note once", async () => {
    const herald = await ledAlarm();
    await fault("pagerduty", "POST /incidents/:id/notes", { status: 429, resetInSeconds: 45 });
    const before = Date.now();
    await say(herald, "note decision: roll back");
    const incidentId = (await herald.store.getIncident("PFQZPSY"))!.id;
    const note = async () => (await herald.store.effectsFor(incidentId)).find((e) => e.payload.kind === "pagerduty_note")!;
    const waiting = await note();
    expect([waiting.status, waiting.lastError]).toEqual(["pending", "PagerDuty POST /incidents/PFQZPSY/notes: HTTP 429 Rate Limit Exceeded"]);
    const wait = (Date.parse(waiting.nextAttemptAt) - before) / 1000;
    expect(wait).toBeGreaterThan(40);
    expect(wait).toBeLessThan(60);
    await retriesRun(herald);
    expect((await note()).status).toBe("done");
    expect((await herald.pagerdutyCalls()).filter((c) => c.path.endsWith("/notes")).map((c) => c.method)).toEqual(["POST", "GET", "POST"]);
  });

  it("waits out GitHub's rate limit (a 403, told from a refused permission by its headers) until its reset, then files the issue once", async () => {
    const herald = await ledAlarm();
    await fault("github", "POST issues", { rateLimited: "primary", resetInSeconds: 1800 });
    const before = Date.now();
    await say(herald, "resolve --temporary restarted the NAT gateway");
    const incidentId = (await herald.store.getIncident("PFQZPSY"))!.id;
    const issue = async () => (await herald.store.effectsFor(incidentId)).find((e) => e.payload.kind === "github_issue")!;
    const waiting = await issue();
    expect([waiting.status, waiting.attempts, waiting.lastError]).toEqual(["pending", 1, expect.stringMatching(/^GitHub issues\.create: HTTP 403 API rate limit exceeded/)]);
    const wait = (Date.parse(waiting.nextAttemptAt) - before) / 1000;
    expect(wait).toBeGreaterThan(1700);
    expect(wait).toBeLessThan(1900);

    await retriesRun(herald);
    expect((await issue()).status).toBe("done");
    expect((await herald.githubCalls()).filter((c) => c.method === "POST").map((c) => c.path)).toEqual(["/github/repos/platform/incidents/issues", "/github/repos/platform/incidents/issues"]);
    expect((await (await fetch(`${harness.vendorsUrl}/github/__issues`)).json()) as unknown[]).toHaveLength(1);
  });

  it("writes the post-mortem again when someone changed its file meanwhile (GitHub's 409), and opens one pull request", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    await fault("github", "PUT contents", { conflict: true });
    await say(herald, "postmortem");
    const incidentId = (await herald.store.getIncident("PFQZPSY"))!.id;
    const publish = async () => (await herald.store.effectsFor(incidentId)).find((e) => e.payload.kind === "publish_document")!;
    expect(await publish()).toMatchObject({ status: "pending", attempts: 1, lastError: expect.stringMatching(/^GitHub repos\.createOrUpdateFileContents: HTTP 409 /) });
    await retriesRun(herald);
    expect((await publish()).status).toBe("done");
    expect((await (await fetch(`${harness.vendorsUrl}/github/__pulls`)).json()) as unknown[]).toHaveLength(1);
  });

  it("fails a wrong-shaped answer at once, naming the call and the field", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    await fault("github", "GET git/ref", { body: { ref: "refs/heads/main", object: {} } });
    await say(herald, "postmortem");
    const effects = await herald.store.effectsFor((await herald.store.getIncident("PFQZPSY"))!.id);
    const publish = effects.find((e) => e.payload.kind === "publish_document")!;
    expect(publish).toMatchObject({ status: "failed", attempts: 1, lastError: "GitHub git.getRef: the answer has no object.sha" });
  });
});

describe(`PagerDuty, as the process declares (${harness.runtime})`, () => {
  const withoutIds = toTestConfig(heraldYaml).replace(/\n\s+pagerduty_(service|priority)_id: \w+/g, "");

  it("opens the PagerDuty incident without ids in herald.yaml: the service and priority found by name (once), the description sent", async () => {
    const herald = await harness.start({ config: withoutIds });
    await herald.request("/slack/interactions", await signed(`payload=${encodeURIComponent(JSON.stringify(declareForm("VPC peering is down", "Nothing routes between the VPCs")))}`, "application/x-www-form-urlencoded"));
    await herald.settle();
    await declare(herald, "P2 networking Second one");
    const calls = (await herald.pagerdutyCalls()).map((c) => `${c.method} ${c.path}`);
    expect(calls).toEqual([
      "GET /pagerduty/services?query=Networking%20-%20Modernisation%20Platform&limit=100",
      "GET /pagerduty/priorities",
      "POST /pagerduty/incidents",
      "POST /pagerduty/incidents",
    ]);
    const opened = (await herald.pagerdutyCalls()).filter((c) => c.method === "POST").map((c) => (c.body as any).incident);
    expect(opened[0]).toMatchObject({
      service: { id: "PNETWRK", type: "service_reference" },
      priority: { id: "PPRIOP2", type: "priority_reference" },
      body: { type: "incident_body", details: "Nothing routes between the VPCs\n\nDeclared in chat by ada as incident 1." },
    });
    expect(opened[1].service.id).toBe("PNETWRK");
  });

  it("says in the declare form when it is one said a moment ago, and keeps the form open", async () => {
    const herald = await harness.start();
    const submit = async (viewId: string) =>
      herald.request("/slack/interactions", await signed(`payload=${encodeURIComponent(JSON.stringify(declareForm("VPC peering is down", "Nothing routes", viewId)))}`, "application/x-www-form-urlencoded"));
    expect((await submit("V0FIRST01")).status).toBe(200);
    await herald.settle();
    const [first] = await herald.store.listIncidents();
    // The same form sent again (one view): stored once, not refused.
    expect(await (await submit("V0FIRST01")).text()).toBe("");
    // Another form with the same declare: the modal shows why under the title, in plain text.
    const again = await submit("V0SECOND1");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({
      response_action: "errors",
      errors: {
        title: `🚨 You declared VPC peering is down less than a minute ago, and it is still open: its channel is #${first!.channel!.name}. Nothing more is declared. To declare another incident, give it another title.`,
      },
    });
    await herald.settle();
    expect(await herald.store.listIncidents()).toHaveLength(1);
    expect((await herald.pagerdutyCalls()).filter((c) => c.method === "POST" && c.path === "/pagerduty/incidents")).toHaveLength(1);
  });

  it("says in the room what it could not do, and how to fix it", async () => {
    const config = withoutIds.replace("name: Operations - Modernisation Platform", "name: Storage");
    const herald = await harness.start({ config });
    const incident = await declare(herald, "P2 operations Disks are full");
    const said = (await herald.slackCalls()).filter((c) => c.body.channel === incident.channel.id).map((c) => String(c.body.text));
    expect(said).toContain(
      ":warning: *Herald could not open the incident in PagerDuty.* PagerDuty has no service named 'Storage'. Give the service its pagerduty_service_id in herald.yaml (or name it as PagerDuty does), and open this incident in PagerDuty by hand so it pages.",
    );
    const detail = (await (await herald.request(`/api/incidents/${incident.id}`, auth)).json()) as { timeline: any[] };
    expect(detail.timeline.map((e: any) => e.kind)).toContain("herald.not_done");
  });

  it("after a lost answer, finds the incident by its key instead of failing or opening a second one", async () => {
    const herald = await harness.start();
    await fault("pagerduty", "POST /incidents", { lose: true });
    const incident = await declare(herald);
    await retriesRun(herald);
    expect((await herald.pagerdutyCalls()).map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /pagerduty/incidents",
      `GET /pagerduty/incidents?incident_key=${encodeURIComponent(incident.id)}`,
    ]);
    const account = (await (await fetch(`${harness.vendorsUrl}/pagerduty/__incidents`)).json()) as { id: string; incident_key: string | null }[];
    expect(account.filter((i) => i.incident_key === incident.id).map((i) => i.id)).toEqual(["PDECL001"]);
    const after = (await (await herald.request(`/api/incidents/${incident.id}`, auth)).json()) as { incident: any };
    expect(after.incident).toMatchObject({ pagerdutyId: "PDECL001", number: 1, pagerdutyNumber: 1 });
  });

  it("is one incident whichever side speaks first: PagerDuty's webhook names Herald's key", async () => {
    const herald = await harness.start();
    await fault("pagerduty", "POST /incidents", { lose: true });
    const incident = await declare(herald);
    const triggered = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    Object.assign(triggered.event.data, { id: "PDECL001", number: 1, title: "VPC peering is down", incident_key: incident.id, priority: null });
    triggered.event.occurred_at = new Date().toISOString();
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(triggered)));
    await herald.settle();
    await retriesRun(herald);
    const list = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: any[] };
    expect(list.incidents.map((i) => [i.id, i.pagerdutyId, i.priority, i.number])).toEqual([[incident.id, "PDECL001", "P2", 1]]);
    // Linked by PagerDuty's word, the open is not tried again.
    expect((await herald.pagerdutyCalls()).filter((c) => c.method === "POST")).toHaveLength(1);
    expect((await herald.slackCalls()).filter((c) => c.method === "conversations.create")).toHaveLength(1);
  });

  it("keeps PagerDuty's resolution: its resolving note shows in the channel and the post-mortem", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    const resolvedAt = "2021-06-04T14:20:29.781Z";
    const note = JSON.parse(deliveries["zulip_annotated_v3.json"]!);
    Object.assign(note.event, { id: "E-RESOLVING", occurred_at: "2021-06-04T14:20:20.000Z" });
    Object.assign(note.event.data, { id: "PRESNOTE", content: "Rolled back the route table change" });
    note.event.data.incident.id = "PFQZPSY";
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(note)));
    await herald.request("/webhooks/pagerduty", await signedDelivery(lifecycle(deliveries)[3]!.body));
    await herald.settle();
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { incident: any; timeline: any[] };
    expect(detail.incident.resolution).toEqual({ note: "Rolled back the route table change", temporary: false, by: { id: "PJ0LVEB", name: "PIG 208" } });
    expect(detail.incident.resolvedAt).toBe(resolvedAt);
    expect(detail.timeline.map((e: any) => e.text)).toContain("Resolved by PIG 208: Rolled back the route table change");
    const resolution = (await herald.slackCalls()).find((c) => c.body.channel === "C00000001" && String(c.body.text).startsWith(":white_check_mark:"))!;
    expect(String(resolution.body.text)).toContain("*Resolution:* Rolled back the route table change");
    const markdown = await (await herald.request("/api/incidents/PFQZPSY/postmortem.md", auth)).text();
    expect(markdown).toContain("Rolled back the route table change");
    expect(markdown).not.toContain("no resolution note was recorded");
  });
});

describe(`who may do what (${harness.runtime})`, () => {
  it("a held role is taken over only by its holder's hand-on or the taker's confirmation, so resolve_by cannot be bypassed", async () => {
    const herald = await ledAlarm();
    // Naming another lead, or clicking "I'll lead", is refused while ada leads.
    expect(await say(herald, "lead <@U0GRACE01>", grace)).toMatch(/^<@U0ADA0001> is the Incident Lead\. They can hand it on/);
    const responseUrl = `${harness.vendorsUrl}/slack/response/lead-click`;
    await herald.request("/slack/interactions", await click("volunteer_lead", "C00000001", "PFQZPSY", { id: "U0GRACE01", username: "grace" }, responseUrl));
    await herald.settle();
    expect((await herald.slackCalls()).filter((c) => c.method === "response_url").map((c) => c.body.text)).toEqual([
      expect.stringMatching(/^<@U0ADA0001> is the Incident Lead\. They can hand it on \(`\/incident lead @you`\), or take it over yourself with `\/incident lead me --take-over`/),
    ]);
    expect(await say(herald, "resolve fixed it", grace)).toBe("Only the Incident Lead (<@U0ADA0001>) can resolve this incident.");
    // Confirmed, the take-over is told in the channel: who took over from whom.
    await say(herald, "lead me --take-over", grace);
    const told = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage").at(-1)!;
    expect(told.body.text).toBe(":bust_in_silhouette: <@U0GRACE01> is now the *Incident Lead*, taking over from <@U0ADA0001>.");
    expect(await say(herald, "resolve fixed it")).toBe("Only the Incident Lead (<@U0GRACE01>) can resolve this incident.");
    // The holder hands it on.
    await say(herald, "lead <@U0ADA0001>", grace);
    expect((await herald.store.getIncident("PFQZPSY"))!.roles.lead).toEqual({ id: "U0ADA0001", name: "ada" });
  });

  it("not-incident is said in the team's channels (not_incident_from), not anywhere", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    expect(await say(herald, "not-incident it was planned")).toBe(
      "`/incident not-incident` files an issue in the team's repository, so it is said in the team's channels: <#C0TEAM0001>, <#C0ASK00001>.",
    );
    expect(await herald.githubCalls()).toEqual([]);
  });

  it("a volunteer from the team channel takes the role there and is brought into the room", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    const request = (await herald.slackCalls()).find((c) => c.body.channel === "C0TEAM0001" && String(c.body.text).startsWith(":raising_hand:"))!;
    const [lead] = JSON.parse(String(request.body.blocks))[1].elements;
    await herald.request("/slack/interactions", await click("volunteer_lead", "C0TEAM0001", lead.value, { id: "U0GRACE01", username: "grace" }, `${harness.vendorsUrl}/slack/response/team-click`));
    await herald.settle();
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.roles.lead).toEqual({ id: "U0GRACE01", name: "grace" });
    const invites = (await herald.slackCalls()).filter((c) => c.method === "conversations.invite").map((c) => [c.body.channel, c.body.users]);
    expect(invites).toContainEqual(["C00000001", "U0GRACE01"]);
  });
});

describe(`what the process asks for (${harness.runtime})`, () => {
  it("`ticket aws` without a case says how to log one and where to escalate", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    expect(await say(herald, "ticket aws")).toBe(
      ":ticket: *Logging a support case with AWS:* Create a support case in the affected AWS account\n*How to escalate:* Update the case; if it stalls, post the case id in the escalation channel\n*Escalation channel:* #ext-awssupport\nThen record it here: `ticket aws <case-id> [url]`.",
    );
  });

  it("pins the summary in the room", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    const summary = (await herald.slackCalls()).find((c) => String(c.body.text).startsWith(":rotating_light:"))!;
    const posted = (await herald.slackCalls()).find((c) => c.method === "pins.add")!;
    expect(posted.body).toMatchObject({ channel: "C00000001" });
    const pins = (await (await fetch(`${harness.vendorsUrl}/slack/__pins/C00000001`)).json()) as string[];
    expect(pins).toHaveLength(1);
    expect(summary.body.channel).toBe("C00000001");
  });

  it("names people as Slack shows them, asking Slack once for each", async () => {
    const herald = await ledAlarm();
    await say(herald, "role comms <@U0LINUS01>");
    await say(herald, "scribe <@U0LINUS01>");
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.roles.comms).toEqual({ id: "U0LINUS01", name: "Linus Torvalds" });
    expect(incident.roles.scribe).toEqual({ id: "U0LINUS01", name: "Linus Torvalds" });
    expect((await herald.slackCalls()).filter((c) => c.method === "users.info")).toHaveLength(1);
  });
});

describe(`documents and texts (${harness.runtime})`, () => {
  it("keeps two incidents' post-mortems apart, and a non-Latin title readable, in the file and branch", async () => {
    const herald = await harness.start();
    const first = await declare(herald, "P2 networking Сеть недоступна");
    // By another person: the same declare by the same person is taken for one said again.
    const second = await declare(herald, "P2 networking Сеть недоступна", { user: "U0GRACE01", userName: "grace" });
    const paths: string[] = [];
    for (const incident of [first, second]) {
      await say(herald, "postmortem", { channel: incident.channel.id });
      const link = (await herald.slackCalls()).filter((c) => String(c.body.text).startsWith(":page_facing_up:")).at(-1)!;
      paths.push(/adds `([^`]+)`/.exec(String(link.body.text))![1]!);
    }
    const today = new Date().toISOString().slice(0, 10);
    expect(paths).toEqual([`postmortems/${today}-inc-1-сеть-недоступна.md`, `postmortems/${today}-inc-2-сеть-недоступна.md`]);
    const branches = (await herald.githubCalls()).filter((c) => c.path.endsWith("/git/refs")).map((c) => (c.body as { ref: string }).ref);
    expect(branches).toEqual([`refs/heads/herald/postmortem/${today}-inc-1`, `refs/heads/herald/postmortem/${today}-inc-2`]);
  });

  it("escapes Markdown per context: a note's line breaks make no headings, rules or broken table rows", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    await say(herald, "note decision: roll back\n# Not a heading\n---\n| not | a row |\n- not a list");
    const markdown = await (await herald.request("/api/incidents/PFQZPSY/postmortem.md", auth)).text();
    expect(markdown).not.toMatch(/^# Not a heading/m);
    expect(markdown).not.toMatch(/^---$/m);
    expect(markdown).not.toMatch(/^- not a list/m);
    expect(markdown).toContain("roll back \\# Not a heading --- \\| not \\| a row \\| - not a list");
  });

  it("cuts a text longer than Slack takes, visibly, and Slack accepts it", async () => {
    const herald = await harness.start();
    await withAlarm(herald);
    const note = JSON.parse(deliveries["zulip_annotated_v3.json"]!);
    Object.assign(note.event, { id: "E-LONG", occurred_at: new Date().toISOString() });
    Object.assign(note.event.data, { id: "PLONG", content: `${"x".repeat(45_000)} the end` });
    note.event.data.incident.id = "PFQZPSY";
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(note)));
    await herald.settle();
    const posted = (await herald.slackCalls()).filter((c) => String(c.body.text).startsWith(":memo: *Note from PagerDuty*")).at(-1)!;
    expect(String(posted.body.text).length).toBeLessThanOrEqual(40_000);
    expect(String(posted.body.text).endsWith("… (cut; the full text is in the incident log)")).toBe(true);
    const effects = await herald.store.effectsFor((await herald.store.getIncident("PFQZPSY"))!.id);
    expect(effects.filter((e) => e.status === "failed")).toEqual([]);
  });
});

/** The declare form's submission, as Slack sends it (built on Slack's own payload). */
function declareForm(title: string, description: string, viewId = `V${Date.now()}`) {
  const payload = JSON.parse(interactions["interactivity_view_submission.java-slack-sdk.json"]!);
  payload.user = { id: "U0ADA0001", username: "ada", name: "ada", team_id: "T0TEAM" };
  payload.view.id = viewId;
  payload.view.callback_id = "declare_incident";
  payload.view.private_metadata = JSON.stringify({ channel: "C0TEAM0001" });
  payload.view.state.values = {
    title: { value: { type: "plain_text_input", value: title } },
    description: { value: { type: "plain_text_input", value: description } },
    service: { value: { type: "static_select", selected_option: { value: "networking" } } },
    priority: { value: { type: "radio_buttons", selected_option: { value: "P2" } } },
  };
  return payload;
}
