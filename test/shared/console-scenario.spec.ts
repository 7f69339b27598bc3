import { harness } from "#harness";
import { perChannel } from "../support/per-channel.js";
import { describe, expect, it } from "vitest";
import { defaultConfigText } from "../../src/generated/default-config.js";
import { ConsoleClient, visibleText } from "../support/console-client.js";
import { deliveries } from "../support/fixtures.js";
import { signedDelivery } from "../support/signed.js";
import { API_TOKEN, toTestConfig } from "../support/test-config.js";
import { followUpAfterDraft } from "../support/lanes.js";

const auth = { headers: { authorization: `Bearer ${API_TOKEN}` } };
// The console's rooms are named as in the shipped herald.yaml; PagerDuty, the status page and GitHub point at the fakes.
const config = toTestConfig(defaultConfigText, { slackChannels: false });
const TEAM = "modernisation-platform";

async function messagesOf(herald: Awaited<ReturnType<typeof harness.start>>, id: string): Promise<{ channelName: string; text: string; visibleTo?: string }[]> {
  return ((await (await herald.request(`/api/incidents/${id}`, auth)).json()) as { messages: any[] }).messages;
}

// The same incident as the Slack scenario, run by people through the web console's HTTP interface:
// the console is a chat platform like Slack, so the record, the rules and the vendors' calls match.
describe(`an incident run from the web console (${harness.runtime})`, () => {
  it("triage → declare form → volunteers → transfer → notes → PagerDuty note → ticket → status publish → temporary resolve → post-mortem", async () => {
    const herald = await harness.start({ chat: "local", config });
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const grace = await ConsoleClient.signIn(herald.request, "grace");

    // Triage in the team room: the four criteria, answered to ada alone, with its two buttons.
    expect(await ada.say(TEAM, "/incident triage")).toBe(`/console/rooms/${TEAM}`);
    const teamRoom = await ada.page(`/console/rooms/${TEAM}`);
    expect(visibleText(teamRoom)).toContain("Is this an incident? It is if the event is unplanned");
    expect(visibleText(teamRoom)).toContain("only you can see this");
    expect(visibleText(await grace.page(`/console/rooms/${TEAM}`))).not.toContain("Is this an incident?");
    const declareButton = await ada.post(`/console/rooms/${TEAM}/press`, { action: "triage_declare", value: "declare" });
    expect(declareButton.headers.get("location")).toBe(`/console/declare?room=${TEAM}`);

    // The declare form: every field, the priorities with their definitions.
    const form = await ada.page(`/console/declare?room=${TEAM}`);
    expect(visibleText(form)).toContain("P2 Part of the platform is down or unavailable, some user applications are impacted or unavailable");
    const declared = await ada.post("/console/declare", {
      room: TEAM,
      title: "VPC peering is down",
      description: "Nothing routes between the two VPCs",
      service: "networking",
      priority: "P2",
      notify: ["update"],
    });
    expect(declared.status).toBe(303);
    const incidentPage = declared.headers.get("location")!;
    expect(incidentPage).toMatch(/^\/console\/incidents\/declared-console-/);
    await herald.settle();
    const page = visibleText(await ada.page(incidentPage));
    expect(page).toContain("VPC peering is down");
    expect(page).toContain("Nothing routes between the two VPCs");

    const detail = (await (await herald.request("/api/incidents/PDECL001", auth)).json()) as { incident: any };
    const room: string = detail.incident.channel.name;
    expect(detail.incident).toMatchObject({ platform: "console", priority: "P2", declaredBy: { id: "ada", name: "ada" } });
    expect(detail.incident.channel.id).toBe(`console:${room}`);

    // Volunteers: ada clicks "I'll lead" under the summary and takes the scribe role too; grace asks
    // for it, is told ada holds it, and ada hands it on.
    const summary = (await messagesOf(herald, "PDECL001")).find((m) => m.text.startsWith(":rotating_light:"))!;
    expect(summary).toBeDefined();
    const lead = await ada.post(`/console/rooms/${room}/press`, { action: "volunteer_lead", value: detail.incident.id, back: incidentPage });
    expect(lead.headers.get("location")).toBe(incidentPage);
    await herald.settle();
    await ada.post(`/console/rooms/${room}/do`, { do: "scribe me" });
    await herald.settle();
    await grace.say(room, "scribe me");
    await herald.settle();
    expect(visibleText(await grace.page(`/console/rooms/${room}`))).toMatch(
      /@ada is the Scribe\. They can hand it on \( \/incident scribe @you \), or take it over yourself with \/incident scribe me --take-over \(the channel is told\)\./,
    );
    await ada.say(room, "scribe @grace");
    await herald.settle();
    for (const category of ["event", "discussion", "decision", "action", "result"]) {
      await grace.post(`/console/rooms/${room}/do`, { do: "note", category, text: `${category} noted` });
      await herald.settle();
    }
    const note = JSON.parse(deliveries["zulip_annotated_v3.json"]!);
    Object.assign(note.event, { id: "E-PD-NOTE", occurred_at: new Date().toISOString() });
    Object.assign(note.event.data, { id: "PTHEIRS", content: "action: network team engaged" });
    note.event.data.incident.id = "PDECL001";
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(note)));
    await herald.settle();
    await ada.post(`/console/rooms/${room}/do`, { do: "ticket", party: "aws", case: "1234567890", url: "" });
    await herald.settle();
    // Each Publish button names its draft. The room shows the incident's own draft; given a new
    // one, it marks the older post as replaced and takes its button away, and a press that names
    // the older draft (from a page not reloaded since) publishes nothing.
    const publishButtons = async () => [...(await ada.page(`/console/rooms/${room}`)).matchAll(/name="value" value="(draft:[^"]+)"/g)].map((m) => m[1]!);
    const [older] = await publishButtons();
    await ada.post(`/console/rooms/${room}/do`, { do: "status draft", text: "We are rolling back the route table change." });
    await herald.settle();
    const [newer, ...others] = await publishButtons();
    expect([newer, others]).toEqual([expect.not.stringMatching(older!), []]);
    expect(visibleText(await ada.page(`/console/rooms/${room}`))).toContain("this draft was replaced by a newer one");
    await ada.post(`/console/rooms/${room}/press`, { action: "status_publish", value: older! });
    await herald.settle();
    expect(visibleText(await ada.page(`/console/rooms/${room}`))).toContain("that Publish button is under an earlier draft, since replaced: nothing was published");
    await ada.post(`/console/rooms/${room}/press`, { action: "status_publish", value: newer! });
    await herald.settle();
    // Only the lead may resolve (resolve_by: lead): grace is told so, privately.
    await grace.post(`/console/rooms/${room}/do`, { do: "resolve", note: "grace's try" });
    expect(visibleText(await grace.page(`/console/rooms/${room}`))).toMatch(/Only the Incident Lead \(\s*@ada\s*\) can resolve this incident\./);
    await ada.post(`/console/rooms/${room}/do`, { do: "resolve", note: "restarted the NAT gateway", temporary: "yes" });
    await herald.settle();
    await ada.post(`/console/rooms/${room}/do`, { do: "postmortem schedule", when: "2099-12-01 14:00" });
    await herald.settle();
    await ada.post(`/console/rooms/${room}/do`, { do: "postmortem" });
    await herald.settle();

    // What the people in the rooms saw (everyone's messages, as they are now; private answers are
    // ada's or grace's own), less the answer to the older draft's button, which the Slack scenario
    // does not press.
    const stale = (m: { text: string }) => m.text.includes("that Publish button is under an earlier draft");
    const posted = followUpAfterDraft((await messagesOf(herald, "PDECL001")).filter((m) => !m.visibleTo && !stale(m)).map((m) => [m.channelName, m.text.split("\n")[0]!]), (p) => p[1]!);
    expect(perChannel(posted)).toEqual(perChannel([
      [room, ":rotating_light: *P2 incident 1: VPC peering is down*"],
      ["modernisation-platform", ":raising_hand: *Volunteers wanted: P2 incident 1: VPC peering is down*"],
      ["modernisation-platform-update", ":white_check_mark: *Resolved: VPC peering is down*"],
      [room, ":memo: *Status page: this draft was replaced by a newer one*, posted below, and was not published:"],
      [room, ":bust_in_silhouette: <@ada|ada> is now the *Incident Lead*."],
      [room, ":bust_in_silhouette: <@ada|ada> is now the *Scribe*."],
      [room, ":bust_in_silhouette: <@grace|grace> is now the *Scribe*, taking over from <@ada|ada>."],
      [room, ":memo: *Note from PagerDuty* by Harsh Santwani (action): network team engaged"],
      [room, ":ticket: Support case *1234567890* logged with AWS."],
      [room, ":memo: *Status page: this update was published* by <@ada|ada>:"],
      [room, ":globe_with_meridians: <@ada|ada> published the update to <https://status.example.com/|the status page> (post PPOST007):"],
      [room, ":white_check_mark: *Resolved: VPC peering is down*"],
      ["modernisation-platform-update", ":white_check_mark: *Resolved: VPC peering is down*"],
      [room, ":memo: *Status page: the resolution is pending*, ready for review:"],
      [room, ":link: *Follow-up for the permanent fix:* <https://github.com/platform/incidents/issues/1|#1 Permanent fix for: VPC peering is down>"],
      [room, expect.stringMatching(/^:calendar: \*Post-mortem meeting:\* 1 Dec 2099 14:00 GMT \(an hour\).* <@ada\|ada> leads it\./)],
      [room, expect.stringMatching(/^:page_facing_up: The post-mortem draft is ready for review: <https:\/\/github.com\/platform\/incidents\/pull\/\d+\|pull request #\d+>/)],
    ]));

    // The same vendor calls as from Slack.
    expect((await herald.pagerdutyCalls()).map((c) => [c.method, c.path])).toEqual([
      ["POST", "/pagerduty/incidents"],
      ...Array.from({ length: 5 }, () => ["POST", "/pagerduty/incidents/PDECL001/notes"]),
      ["POST", "/pagerduty/status_pages/PSTATUS1/posts"],
      ["PUT", "/pagerduty/incidents/PDECL001"],
    ]);
    const github = (await herald.githubCalls()).map((c) => `${c.method} ${c.path}`);
    expect(github[0]).toBe("POST /github/repos/platform/incidents/issues");
    expect(github).toContain("POST /github/repos/platform/incidents/pulls");

    const after = (await (await herald.request("/api/incidents/PDECL001", auth)).json()) as { incident: any; timeline: any[] };
    expect(after.incident).toMatchObject({
      status: "resolved",
      roles: { lead: { id: "ada" }, scribe: { id: "grace" } },
      resolution: { note: "restarted the NAT gateway", temporary: true },
      postmortemMeeting: { at: "2099-12-01T14:00:00.000Z" },
    });
    // Chat, PagerDuty and GitHub work side by side: what each did, in the order each did it.
    const heraldDid = after.timeline.filter((e) => e.source === "herald").map((e) => e.kind);
    expect(heraldDid.filter((k) => !["herald.pagerduty_linked", "herald.follow_up_raised"].includes(k))).toEqual([
      "herald.room_created",
      "herald.announcement_posted",
      "herald.status_drafted",
      "herald.status_drafted",
      "herald.status_published",
      "herald.status_drafted",
      "herald.document_proposed",
    ]);
    expect(heraldDid.filter((k) => ["herald.pagerduty_linked", "herald.follow_up_raised"].includes(k))).toEqual(["herald.pagerduty_linked", "herald.follow_up_raised"]);
    expect(after.timeline.filter((e) => e.source !== "herald").map((e) => [e.kind, e.category, e.source, e.text])).toEqual([
      ["incident.triggered", "event", "console", "Declared by ada: VPC peering is down (P2, Networking - Modernisation Platform)"],
      ["role.assigned", "event", "console", "ada is now Incident Lead"],
      ["role.assigned", "event", "console", "ada is now Scribe"],
      ["role.assigned", "event", "console", "grace is now Scribe (taking over from ada)"],
      ["note.added", "event", "console", "event noted"],
      ["note.added", "discussion", "console", "discussion noted"],
      ["note.added", "decision", "console", "decision noted"],
      ["note.added", "action", "console", "action noted"],
      ["note.added", "result", "console", "result noted"],
      ["incident.annotated", "action", "pagerduty", "network team engaged"],
      ["ticket.recorded", "action", "console", "Support case 1234567890 logged with AWS"],
      ["incident.resolved", "result", "console", "Resolved with a temporary fix: restarted the NAT gateway"],
      ["postmortem.scheduled", "event", "console", "Post-mortem meeting scheduled for 1 Dec 2099 14:00 GMT"],
    ]);

    // The incident page shows it all; its live part answers 304 while nothing changes.
    const final = visibleText(await ada.page(`/console/incidents/${after.incident.id}`));
    for (const text of ["resolved", "lead: ada", "scribe: grace", "decision noted", "Published (incident) by ada", "post-mortem draft"]) {
      expect(final).toContain(text);
    }
    const fragment = await ada.get(`/console/incidents/${after.incident.id}?live=1`);
    const etag = fragment.headers.get("etag")!;
    expect(fragment.status).toBe(200);
    expect((await ada.get(`/console/incidents/${after.incident.id}?live=1`, { "if-none-match": etag })).status).toBe(304);
    const markdown = await ada.get(`/console/incidents/${after.incident.id}/postmortem.md`);
    expect(await markdown.text()).toContain("restarted the NAT gateway");
  });

  it("refuses what it should, stores nothing then, and says why", async () => {
    const herald = await harness.start({ chat: "local", config });
    // Not signed in: sent to sign in; a wrong token is refused.
    const anonymous = await herald.request("/console");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/console/sign-in?next=%2Fconsole");
    const stranger = new ConsoleClient(herald.request);
    await stranger.get("/console/sign-in");
    const wrong = await stranger.post("/console/sign-in", { name: "mallory", token: "not-the-token" });
    expect(wrong.status).toBe(400);
    expect(visibleText(await wrong.text())).toContain("That is not Herald's API token");
    expect((await stranger.get("/console")).status).toBe(303);
    const badName = await stranger.post("/console/sign-in", { name: "two words", token: API_TOKEN });
    expect(badName.status).toBe(400);

    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const count = async () => ((await (await herald.request("/api/incidents", auth)).json()) as { incidents: unknown[] }).incidents.length;
    // A form without the CSRF token, or from another site: refused, nothing stored.
    const forged = await herald.request("/console/declare", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `heraldDidcsrf=${ada.csrf}; heraldDidname=ada; heraldDidtoken=${API_TOKEN}` },
      body: new URLSearchParams({ title: "x", service: "networking", priority: "P1" }).toString(),
    });
    expect(forged.status).toBe(403);
    const crossSite = await ada.post("/console/declare", { title: "x", service: "networking", priority: "P1" }, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    const notAForm = await ada.get("/console/declare");
    expect(notAForm.status).toBe(200);
    // A declare form with missing fields: each error under its field, nothing declared.
    const missing = await ada.post("/console/declare", { room: TEAM, title: "", service: "", priority: "" });
    expect(missing.status).toBe(422);
    const errors = visibleText(await missing.text());
    expect(errors).toContain("Give the incident a meaningful title.");
    expect(errors).toContain("Choose the impacted service.");
    expect(errors).toContain("Choose a priority.");
    await herald.settle();
    expect(await count()).toBe(0);
    expect((await herald.store.pendingDeliveries(10)).length).toBe(0);

    // A form sent twice (the back button, a double click) is taken once.
    const once = crypto.randomUUID();
    const fields = { room: TEAM, title: "Disk full", service: "operations", priority: "P3", _once: once };
    const first = await ada.post("/console/declare", fields);
    const second = await ada.post("/console/declare", fields);
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    await herald.settle();
    expect(await count()).toBe(1);
    // Sent again once it is on the record: still the same incident.
    const third = await ada.post("/console/declare", fields);
    expect(third.headers.get("location")).toBe(first.headers.get("location"));
    // The same declare in a new form (said again, its answer lost): told where it is, nothing declared.
    const again = await ada.post("/console/declare", { ...fields, _once: crypto.randomUUID() });
    expect(again.status).toBe(422);
    const told = await again.text();
    expect(visibleText(told)).toContain("You declared Disk full less than a minute ago, and it is still open: its channel is #inc-1-disk-full");
    expect(visibleText(told)).toContain("Nothing more is declared.");
    expect(told).toContain('href="/console/rooms/inc-1-disk-full"');
    await herald.settle();
    expect(await count()).toBe(1);

    // The not-incident form: one from an incident's room, and one said again, are told in the form.
    const notIncident = await ada.post("/console/not-incident", { room: TEAM, reason: "a planned failover" });
    expect(notIncident.status).toBe(303);
    await herald.settle();
    const fromRoom = await ada.post("/console/not-incident", { room: "inc-1-disk-full", reason: "a planned failover" });
    expect(fromRoom.status).toBe(422);
    expect(visibleText(await fromRoom.text())).toContain("so it is said in the team's channels");
    const saidAgain = await ada.post("/console/not-incident", { room: TEAM, reason: "A planned  failover" });
    expect(saidAgain.status).toBe(422);
    expect(visibleText(await saidAgain.text())).toContain("You said this is not an incident less than a minute ago, with the same reason");
    await herald.settle();
    expect((await herald.githubCalls()).filter((c) => c.method === "POST")).toHaveLength(1);

    // Commands outside an incident's room, unknown commands and unknown rooms: said plainly.
    await ada.say(TEAM, "note decision: roll back");
    await ada.say(TEAM, "@Herald incident <!channel> please look");
    const team = visibleText(await ada.page(`/console/rooms/${TEAM}`));
    expect(team).toContain("/incident note works in an incident's channel.");
    expect(team).toContain("Unknown command '<!channel>'");
    expect((await ada.get("/console/rooms/no-such-room")).status).toBe(404);
    expect((await ada.get("/console/incidents/no-such-incident")).status).toBe(404);
    expect((await ada.post(`/console/rooms/${TEAM}/press`, { action: "launch_rockets" })).status).toBe(400);
  });

  it("escapes user text everywhere: a title or note never becomes markup, a link or a ping", async () => {
    const herald = await harness.start({ chat: "local", config });
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const declared = await ada.post("/console/declare", {
      room: TEAM,
      title: `<script>alert(1)</script> <!channel> <https://evil.example|click> *bold*`,
      service: "security",
      priority: "P1",
    });
    await herald.settle();
    const html = await ada.page(declared.headers.get("location")!);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toMatch(/href="https:\/\/evil\.example/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const room = (await herald.store.localChannels()).find((c) => c.name.startsWith("inc-"))!;
    const roomHtml = await ada.page(`/console/rooms/${room.name}`);
    expect(roomHtml).not.toContain("<script>alert");
    expect(roomHtml).not.toMatch(/href="https:\/\/evil\.example/);
    // A security incident says where to report the breach.
    expect(visibleText(roomHtml)).toContain("🔒 Also report it to the security team");
  });

  it("runs beside Slack: an incident lives on the platform where it was declared, alarms on the default one", async () => {
    // Slack is configured and the default; the team's channels are Slack channel ids.
    const herald = await harness.start();
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    // The console's team room is "team" here, as the configuration names a Slack channel for it.
    expect(visibleText(await ada.page("/console/declare"))).toContain("Declare an incident");
    const declared = await ada.post("/console/declare", { room: "team", title: "Disk full", service: "operations", priority: "P1" });
    expect(declared.status).toBe(303);
    await herald.settle();
    const incidents = ((await (await herald.request("/api/incidents", auth)).json()) as { incidents: any[] }).incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ platform: "console", channel: { id: expect.stringMatching(/^console:inc-/) } });
    const slack = (await herald.slackCalls()).map((c) => [c.method, c.body.channel ?? c.body.name]);
    // Its room is in the console; the users' announcement goes to the update channel the configuration names (in Slack).
    expect(slack.filter(([method]) => method === "conversations.create")).toEqual([]);
    expect(slack).toContainEqual(["chat.postMessage", "C0UPDATE01"]);

    // A PagerDuty alarm opens its channel on the default platform, Slack.
    const { lifecycle } = await import("../support/signed.js");
    await herald.request("/webhooks/pagerduty", await signedDelivery(lifecycle(deliveries)[0]!.body));
    await herald.settle();
    expect((await herald.slackCalls()).filter((c) => c.method === "conversations.create")).toHaveLength(1);
  });

  it("shows the deliveries Herald could not process, in the API and on the console's home page", async () => {
    const herald = await harness.start({ chat: "local", config });
    await herald.store.recordDelivery({ id: "pagerduty:broken", source: "pagerduty", webhookId: null, receivedAt: new Date().toISOString(), body: "{" });
    await herald.settle();
    const failed = (await (await herald.request("/api/deliveries/failed", auth)).json()) as { deliveries: any[] };
    expect(failed.deliveries).toMatchObject([{ id: "pagerduty:broken", source: "pagerduty", error: "body is not valid JSON" }]);
    expect(JSON.stringify(failed)).not.toContain('"body"');
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const home = visibleText(await ada.page("/console"));
    expect(home).toContain("Needs a look: 1 delivery Herald could not process");
    expect(home).toContain("body is not valid JSON");
  });

  it("says on the front page when Herald is behind, and with what its actions fail, until they are done", async () => {
    const herald = await harness.start({ chat: "local", config });
    await herald.request("/webhooks/pagerduty", await signedDelivery(deliveries["zulip_triggered_v3.json"]!));
    await herald.settle();
    const [incident] = await herald.store.listIncidents();
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    expect(visibleText(await ada.page("/console"))).not.toContain("Herald is behind");
    // A note to PagerDuty that failed once and waits to be tried again, as an outage leaves it.
    const at = new Date().toISOString();
    await herald.store.recordDelivery({ id: "console:extra", source: "console", webhookId: null, receivedAt: at, body: "{}" });
    const key = `${incident!.id}:extra-note`;
    await herald.store.commitProcessed({ deliveryId: "console:extra", processedAt: at, incidents: [], entries: [], effects: [{ key, incidentId: incident!.id, payload: { kind: "pagerduty_note", content: "A note" } }] });
    await herald.store.startEffect(key, at);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await herald.store.finishEffect(key, { status: "pending", error: "PagerDuty answered 503 <b>unavailable</b>", nextAttemptAt: later }, at);

    const home = await ada.page("/console");
    expect(visibleText(home)).toContain("Herald is behind 1 action to do; 1 is being tried again after failing.");
    expect(visibleText(home)).toContain("1 action, the last tried");
    // The vendor's words are shown as text.
    expect(home).toContain("PagerDuty answered 503 &lt;b&gt;unavailable&lt;/b&gt;");
    // The incident's page says when it is tried next.
    const onIncident = visibleText(await ada.page(`/console/incidents/${encodeURIComponent(incident!.id)}`));
    expect(onIncident).toMatch(/pending pagerduty note · tried again \d+ \w+ \d{4} \d\d:\d\d \w+ PagerDuty answered 503 <b>unavailable<\/b>/);
    expect(await (await herald.request("/api/backlog", auth)).json()).toMatchObject({
      behind: true,
      effects: { waiting: 1, retrying: 1, dueSince: null, errors: [{ error: "PagerDuty answered 503 <b>unavailable</b>", count: 1, lastAt: at }] },
    });

    await herald.store.finishEffect(key, { status: "done" }, new Date().toISOString());
    expect(visibleText(await ada.page("/console"))).not.toContain("Herald is behind");
  });

  it("counts only the next 100 of each queue on the front page, which it asks for every two seconds; the API counts 1,000", async () => {
    const herald = await harness.start({ chat: "local", config });
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    // 150 deliveries received a minute ago and not yet on the record: Herald is behind.
    const received = new Date(Date.now() - 60_000).toISOString();
    for (let n = 0; n < 150; n++) await herald.store.recordDelivery({ id: `console:waiting-${n}`, source: "console", webhookId: null, receivedAt: received, body: "{}" });
    expect(visibleText(await ada.page("/console"))).toContain("At least 100 deliveries are not yet on the record");
    expect(await (await herald.request("/api/backlog", auth)).json()).toMatchObject({ behind: true, most: 1000, deliveries: { waiting: 150 } });
  });

  it("tries an action Herald gave up on again from its Try again button, once", async () => {
    const herald = await harness.start({ chat: "local", config });
    await herald.request("/webhooks/pagerduty", await signedDelivery(deliveries["zulip_triggered_v3.json"]!));
    await herald.settle();
    const [incident] = await herald.store.listIncidents();
    // A post that failed for good (as a refused permission would leave it).
    const at = new Date().toISOString();
    await herald.store.recordDelivery({ id: "console:extra", source: "console", webhookId: null, receivedAt: at, body: "{}" });
    const key = `${incident!.id}:extra-post`;
    await herald.store.commitProcessed({
      deliveryId: "console:extra",
      processedAt: at,
      incidents: [],
      entries: [],
      effects: [{ key, incidentId: incident!.id, payload: { kind: "post_message", to: "incident", template: "t", text: "The extra post" } }],
    });
    await herald.store.startEffect(key, at);
    await herald.store.finishEffect(key, { status: "failed", error: "not_allowed: the bot may not post here" }, at);

    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const home = await ada.page("/console");
    expect(visibleText(home)).toContain("Needs a look: 1 action Herald gave up on");
    expect(home).toContain(`<input type="hidden" name="key" value="${key}"/>`);
    // What it was to post, for whoever posts it by hand, on both pages.
    expect(home).toContain('<blockquote class="excerpt">The extra post</blockquote>');
    const incidentPage = `/console/incidents/${encodeURIComponent(incident!.id)}`;
    const onIncident = await ada.page(incidentPage);
    expect(visibleText(onIncident)).toContain("Try again");
    expect(onIncident).toContain('<blockquote class="excerpt">The extra post</blockquote>');

    const pressed = await ada.post("/console/effects/retry", { key, back: incidentPage });
    expect(pressed.status).toBe(303);
    expect(pressed.headers.get("location")).toBe(incidentPage);
    // Pressed twice (a double click): found queued, taken once.
    expect((await ada.post("/console/effects/retry", { key, back: incidentPage })).status).toBe(303);
    await herald.settle();
    // Its one attempt before, and one now.
    expect(await herald.store.getEffect(key)).toMatchObject({ status: "done", attempts: 2 });
    expect((await messagesOf(herald, incident!.id)).filter((m) => m.text === "The extra post")).toHaveLength(1);
    expect(visibleText(await ada.page("/console"))).not.toContain("gave up on");
    // From another site, the form is refused.
    expect((await ada.post("/console/effects/retry", { key }, { origin: "https://evil.example" })).status).toBe(403);
  });

  it("tries every action Herald gave up on again from Try them all again, when there are more than the page shows", async () => {
    const herald = await harness.start({ chat: "local", config });
    await herald.request("/webhooks/pagerduty", await signedDelivery(deliveries["zulip_triggered_v3.json"]!));
    await herald.settle();
    const [incident] = await herald.store.listIncidents();
    // 25 posts that failed for good, as after an outage longer than Herald's hour of retries.
    const at = new Date().toISOString();
    await herald.store.recordDelivery({ id: "console:outage", source: "console", webhookId: null, receivedAt: at, body: "{}" });
    const keys = Array.from({ length: 25 }, (_, n) => `${incident!.id}:lost-post-${n}`);
    await herald.store.commitProcessed({
      deliveryId: "console:outage",
      processedAt: at,
      incidents: [],
      entries: [],
      effects: keys.map((key, n) => ({ key, incidentId: incident!.id, payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: `Lost post ${n}` } })),
    });
    for (const key of keys) await herald.store.finishEffect(key, { status: "failed", error: "HTTP 503 after an hour of tries" }, at);

    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const page = await ada.page("/console");
    const home = visibleText(page);
    expect(home).toContain("Needs a look: more than 20 actions Herald gave up on");
    // Each one named by its incident, as the lists name it, not by its id.
    const deadLetters = page.slice(page.indexOf("dead-letters"), page.indexOf("</section>", page.indexOf("dead-letters")));
    expect(visibleText(deadLetters)).toContain(`post message #${incident!.number} ${incident!.title}`);
    expect(deadLetters).not.toContain(`>${incident!.id}<`);
    expect(home).toContain("The latest 20 are shown; the API lists them all (GET /api/effects/failed).");
    expect(home).toContain("Try them all again");
    // From another site, the form is refused and nothing is queued.
    expect((await ada.post("/console/effects/retry-all", { back: "/console" }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await herald.store.failedEffects({ limit: 30 })).items).toHaveLength(25);

    const pressed = await ada.post("/console/effects/retry-all", { back: "/console" });
    expect(pressed.status).toBe(303);
    expect(pressed.headers.get("location")).toBe("/console");
    await herald.settle();
    expect((await herald.store.failedEffects({ limit: 30 })).items).toEqual([]);
    const posted = (await messagesOf(herald, incident!.id)).filter((m) => m.text.startsWith("Lost post "));
    expect(posted).toHaveLength(25);
    expect(visibleText(await ada.page("/console"))).not.toContain("gave up on");
  });
});
