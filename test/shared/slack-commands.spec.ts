import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { events, interactions } from "../support/slack-fixtures.js";
import { signed, slashCommand } from "../support/slack-requests.js";

const auth = { headers: { authorization: "Bearer herald-test-api-token" } };

async function withIncident() {
  const herald = await harness.start();
  const [triggered] = lifecycle(deliveries);
  await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
  await herald.settle();
  return herald;
}

/** What Herald wrote to PagerDuty (its look-ups aside: an alarm's assignees are looked up to be invited). */
async function pagerdutyWrites(herald: Awaited<ReturnType<typeof harness.start>>) {
  return (await herald.pagerdutyCalls()).filter((c) => c.method !== "GET");
}

async function ephemeral(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { response_type: string; text: string };
  expect(body.response_type).toBe("ephemeral");
  return body.text;
}

async function timeline(herald: Awaited<ReturnType<typeof harness.start>>) {
  const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { timeline: any[] };
  // The people's log; Herald's own actions are on the timeline too, checked where they matter.
  return detail.timeline.filter((e) => e.source !== "herald").map((e) => [e.kind, e.category, e.source, e.author?.name, e.text]);
}

describe(`/incident in Slack (${harness.runtime})`, () => {
  it("volunteers, a lead who also scribes is warned, a transfer names both, notes go on the log", async () => {
    const herald = await withIncident();
    const before = (await herald.slackCalls()).length;

    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("lead me")))).toBe(
      "You are now the Incident Lead; Herald will say so in the channel.",
    );
    await herald.settle();
    await herald.request("/slack/commands", await slashCommand("scribe me"));
    await herald.settle();
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("scribe <@U0GRACE01|grace>")))).toBe(
      "<@U0GRACE01> is now the Scribe; Herald will say so in the channel.",
    );
    await herald.settle();
    await herald.request("/slack/commands", await slashCommand("role comms <@U0LINUS01>"));
    await herald.settle();
    for (const note of ["note discussion: ada suggested the disk might be full", "note decision: roll back", "note action: grace to check the NAT gateway", "note result: the NAT gateway was saturated", "note paged the network team"]) {
      expect(await ephemeral(await herald.request("/slack/commands", await slashCommand(note, { user: "U0GRACE01", userName: "grace" })))).toMatch(/^Added to the incident log as an? (discussion|decision|action|result|event)\.$/);
    }
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("checkin every 30")))).toBe(
      "Team check-ins every 30 minutes; Herald will remind the channel until the incident is resolved.",
    );
    await herald.settle();

    const calls = (await herald.slackCalls()).slice(before);
    // Whoever takes a role is brought into the room.
    expect(calls.filter((c) => c.method === "conversations.invite").map((c) => c.body.users)).toEqual(["U0ADA0001", "U0ADA0001", "U0GRACE01", "U0LINUS01"]);
    // A mention carries only the user id: the name is Slack's display name (its real name when it has none).
    expect(calls.filter((c) => c.method === "users.info").map((c) => c.body.user)).toEqual(["U0LINUS01"]);
    const posts = calls.filter((c) => c.method !== "conversations.invite" && c.method !== "users.info").map((c) => [c.method, c.body.channel, c.body.text ?? c.body.topic]);
    expect(posts).toEqual([
      ["chat.postMessage", "C00000001", ":bust_in_silhouette: <@U0ADA0001> is now the *Incident Lead*."],
      ["conversations.setTopic", "C00000001", "P1 · triggered · Lead: ada · Scribe: needed"],
      [
        "chat.postMessage",
        "C00000001",
        ":bust_in_silhouette: <@U0ADA0001> is now the *Scribe*.\n:warning: <@U0ADA0001> is both Incident Lead and Scribe. That is allowed, but it usually leads to poor record keeping: please ask someone else to scribe.",
      ],
      ["conversations.setTopic", "C00000001", "P1 · triggered · Lead: ada · Scribe: ada"],
      ["chat.postMessage", "C00000001", ":bust_in_silhouette: <@U0GRACE01> is now the *Scribe*, taking over from <@U0ADA0001>."],
      ["conversations.setTopic", "C00000001", "P1 · triggered · Lead: ada · Scribe: grace"],
      ["chat.postMessage", "C00000001", ":bust_in_silhouette: <@U0LINUS01> is now the *Communications Lead*."],
    ]);
    expect((await timeline(herald)).slice(1)).toEqual([
      ["role.assigned", "event", "slack", "ada", "ada is now Incident Lead"],
      ["role.assigned", "event", "slack", "ada", "ada is now Scribe"],
      ["role.assigned", "event", "slack", "ada", "grace is now Scribe (taking over from ada)"],
      ["role.assigned", "event", "slack", "ada", "Linus Torvalds is now Communications Lead"],
      ["note.added", "discussion", "slack", "grace", "ada suggested the disk might be full"],
      ["note.added", "decision", "slack", "grace", "roll back"],
      ["note.added", "action", "slack", "grace", "grace to check the NAT gateway"],
      ["note.added", "result", "slack", "grace", "the NAT gateway was saturated"],
      ["note.added", "event", "slack", "grace", "paged the network team"],
      ["checkin.set", "event", "slack", "ada", "Team check-ins every 30 minutes"],
    ]);
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { incident: any };
    expect(detail.incident.roles).toEqual({
      lead: { id: "U0ADA0001", name: "ada" },
      scribe: { id: "U0GRACE01", name: "grace" },
      comms: { id: "U0LINUS01", name: "Linus Torvalds" },
    });
  });

  it("says a role taken twice once: a second `lead me` is told so, and two said at once are announced once", async () => {
    const herald = await withIncident();
    await herald.request("/slack/commands", await slashCommand("lead me"));
    await herald.settle();
    const before = (await herald.slackCalls()).length;
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("lead me")))).toBe("You are the Incident Lead already.");
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("lead <@U0ADA0001|ada>", { user: "U0GRACE01", userName: "grace" })))).toBe(
      "<@U0ADA0001> is the Incident Lead already.",
    );
    await herald.settle();
    expect((await herald.slackCalls()).slice(before)).toEqual([]);

    // Two at once (two clicks on "Scribe"), before either is on the record: both taken, one said in the channel.
    const twice = await Promise.all([1, 2].map(async () => herald.request("/slack/commands", await slashCommand("scribe me", { user: "U0GRACE01", userName: "grace" }))));
    expect(twice.every((r) => r.status === 200)).toBe(true);
    await herald.settle();
    const calls = (await herald.slackCalls()).slice(before);
    expect(calls.filter((c) => c.method === "chat.postMessage").map((c) => c.body.text)).toEqual([":bust_in_silhouette: <@U0GRACE01> is now the *Scribe*."]);
    expect(calls.filter((c) => c.method === "conversations.invite").map((c) => c.body.users)).toEqual(["U0GRACE01"]);
    expect(calls.filter((c) => c.method === "conversations.setTopic")).toHaveLength(1);
    // The second is looked at again when it is put on the record, after the first: nothing changes.
    expect((await timeline(herald)).filter(([kind]) => kind === "role.assigned").map(([, , , , text]) => text)).toEqual(["ada is now Incident Lead", "grace is now Scribe"]);
  });

  it("keeps the log in PagerDuty too, without echoing notes back and forth; records support cases, each once", async () => {
    const herald = await withIncident();
    const slackBefore = (await herald.slackCalls()).length;
    await herald.request("/slack/commands", await slashCommand("note decision: roll back the route table change"));
    await herald.settle();
    expect(await pagerdutyWrites(herald)).toEqual([
      {
        method: "POST",
        path: "/pagerduty/incidents/PFQZPSY/notes",
        from: "herald@example.com",
        body: { note: { content: "decision: roll back the route table change" } },
      },
    ]);

    // PagerDuty tells Herald about every note, its own included.
    const annotated = (noteId: string, content: string, eventId: string) => {
      const envelope = JSON.parse(deliveries["zulip_annotated_v3.json"]!);
      envelope.event.id = eventId;
      envelope.event.data.id = noteId;
      envelope.event.data.incident.id = "PFQZPSY";
      envelope.event.data.content = content;
      envelope.event.occurred_at = new Date().toISOString();
      return JSON.stringify(envelope);
    };
    await herald.request("/webhooks/pagerduty", await signedDelivery(annotated("PNOTE001", "decision: roll back the route table change", "E-ECHO")));
    await herald.request("/webhooks/pagerduty", await signedDelivery(annotated("PTHEIRS1", "result: route table restored", "E-THEIRS")));
    await herald.settle();
    await herald.request("/slack/commands", await slashCommand("ticket aws 1234567890 https://support.example/case/1234567890"));
    await herald.settle();
    // The same case said again: told so, and neither logged nor posted twice.
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("ticket aws 1234567890")))).toBe(
      "Support case 1234567890 is recorded already; how to escalate it is in the channel.",
    );
    await herald.settle();

    const posts = (await herald.slackCalls()).slice(slackBefore).map((c) => c.body.text);
    expect(posts).toEqual([
      ":memo: *Note from PagerDuty* by Harsh Santwani (result): route table restored",
      ":ticket: Support case *1234567890* logged with AWS (<https://support.example/case/1234567890|open the case>).\n*How to escalate:* Update the case; if it stalls, post the case id in the escalation channel\n*Escalation channel:* #ext-awssupport",
    ]);
    expect((await timeline(herald)).slice(1)).toEqual([
      ["note.added", "decision", "slack", "ada", "roll back the route table change"],
      ["incident.annotated", "result", "pagerduty", "Harsh Santwani", "route table restored"],
      ["ticket.recorded", "action", "slack", "ada", "Support case 1234567890 logged with AWS (https://support.example/case/1234567890)"],
    ]);
    expect(await pagerdutyWrites(herald)).toHaveLength(1);
  });

  it("lets only the Incident Lead resolve; resolves in PagerDuty with the note and announces it once", async () => {
    const herald = await withIncident();
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("resolve fixed it")))).toBe(
      "Only the Incident Lead can resolve this incident, and nobody is lead yet: `/incident lead me` first.",
    );
    await herald.request("/slack/commands", await slashCommand("lead me"));
    await herald.settle();
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("resolve fixed it", { user: "U0GRACE01", userName: "grace" })))).toBe(
      "Only the Incident Lead (<@U0ADA0001>) can resolve this incident.",
    );
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
    const slackBefore = (await herald.slackCalls()).length;

    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("resolve --temporary restarted the NAT gateway")))).toBe(
      "Resolving with a temporary fix; Herald will post the resolution.",
    );
    await herald.settle();
    // PagerDuty then confirms the resolve with its own webhook: on the log, but no second announcement.
    const resolved = lifecycle(deliveries)[3]!;
    await herald.request("/webhooks/pagerduty", await signedDelivery(resolved.body.replace("2021-06-04T14:20:29.781Z", new Date(Date.now() + 1000).toISOString())));
    await herald.settle();
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("resolve again")))).toBe("This incident is resolved already.");

    expect(await pagerdutyWrites(herald)).toEqual([
      {
        method: "PUT",
        path: "/pagerduty/incidents/PFQZPSY",
        from: "herald@example.com",
        body: { incident: { type: "incident_reference", status: "resolved", resolution: "restarted the NAT gateway" } },
      },
    ]);
    const posts = (await herald.slackCalls()).slice(slackBefore).filter((c) => c.method === "chat.postMessage" || c.method === "chat.update").map((c) => [c.body.channel, String(c.body.text).split("\n").slice(0, 3)]);
    const announcement = [
      ":white_check_mark: *Resolved: Test Incident 3*",
      expect.stringMatching(/^Resolved \d+ \w+ \d{4} \d\d:\d\d GMT, .+ after it began\.$/),
      "*Resolution:* restarted the NAT gateway (a temporary fix; the permanent one will follow)",
    ];
    // The room and the users' update channel are lanes of their own, side by side: each in order.
    const inRoom = posts.filter(([channel]) => channel === "C00000001");
    expect(posts.filter(([channel]) => channel === "C0UPDATE01")).toEqual([
      ["C0UPDATE01", announcement],
      ["C0UPDATE01", [":white_check_mark: *Resolved: Test Incident 3*", "*Status:* resolved", "*Affected:* pig208"]],
    ]);
    expect(inRoom[0]).toEqual(["C00000001", announcement]);
    // The follow-up's link waits for GitHub, the draft does not: either may come first. The
    // resolution's draft replaces the incident's, never published, whose post is edited to say so.
    expect(posts).toHaveLength(6);
    expect(inRoom.slice(1)).toHaveLength(3);
    expect(inRoom.slice(1)).toEqual(expect.arrayContaining([
      ["C00000001", [":memo: *Status page: this draft was replaced by a newer one*, posted below, and was not published:", expect.stringMatching(/^>We are investigating/)]],
      ["C00000001", [":memo: *Status page: the resolution is pending*, ready for review:", expect.stringMatching(/^>The problem affecting pig208 has been resolved/), expect.any(String)]],
      ["C00000001", [":link: *Follow-up for the permanent fix:* <https://github.com/platform/incidents/issues/1|#1 Permanent fix for: Test Incident 3>"]],
    ]));
    const [issue, ...moreIssues] = await herald.githubCalls();
    expect(moreIssues).toEqual([]);
    expect(issue).toMatchObject({
      method: "POST",
      path: "/github/repos/platform/incidents/issues",
      body: { title: "Permanent fix for: Test Incident 3", labels: ["incident-follow-up"] },
    });
    expect((issue!.body as { body: string }).body).toContain("**Temporary fix:** restarted the NAT gateway");
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { incident: any };
    expect(detail.incident.followUps).toEqual([
      { title: "Permanent fix for: Test Incident 3", url: "https://github.com/platform/incidents/issues/1", number: 1 },
    ]);
    const log = await timeline(herald);
    expect(log.slice(-2)).toEqual([
      ["incident.resolved", "result", "slack", "ada", "Resolved with a temporary fix: restarted the NAT gateway"],
      ["incident.resolved", "event", "pagerduty", "PIG 208", "Resolved by PIG 208"],
    ]);
  });

  it("declares an incident from the team channel: its channel, summary and announcement, once", async () => {
    const herald = await harness.start();
    const declare = await slashCommand("declare P2 networking VPC peering to the shared account is down", { channel: "C0TEAM0001" });
    expect(await ephemeral(await herald.request("/slack/commands", declare))).toBe(
      "Declaring *VPC peering to the shared account is down* (P2, networking): Herald is opening its channel.",
    );
    await herald.settle();
    const calls = (await herald.slackCalls()).map((c) => [c.method, c.body.channel ?? c.body.name, String(c.body.text ?? c.body.users ?? c.body.topic ?? "").split("\n")[0]]);
    // Its number is Herald's own (the first), in the channel's name and the summary, which is pinned;
    // the team channel is asked for volunteers; users are told in the update channel (without waiting for the room).
    const announcing = (c: unknown[]) => c[1] === "C0UPDATE01";
    expect(calls.filter((c) => !announcing(c)).slice(0, 6)).toEqual([
      ["conversations.create", "inc-1-vpc-peering-to-the-shared-account-is-down", ""],
      ["conversations.invite", "C00000001", "U0ADA0001"],
      ["chat.postMessage", "C00000001", ":rotating_light: *P2 incident 1: VPC peering to the shared account is down*"],
      ["pins.add", "C00000001", ""],
      ["chat.postMessage", "C0TEAM0001", ":raising_hand: *Volunteers wanted: P2 incident 1: VPC peering to the shared account is down*"],
      ["conversations.setTopic", "C00000001", "P2 · triggered · Lead: needed · Scribe: needed"],
    ]);
    expect(calls.filter(announcing)).toEqual([
      ["chat.postMessage", "C0UPDATE01", ":warning: *We are investigating an incident: VPC peering to the shared account is down*"],
    ]);
    const list = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: any[] };
    expect(list.incidents).toHaveLength(1);
    expect(list.incidents[0]).toMatchObject({
      pagerdutyId: "PDECL001",
      title: "VPC peering to the shared account is down",
      priority: "P2",
      service: { id: "networking", name: "Networking - Modernisation Platform" },
      status: "triggered",
      declaredBy: { id: "U0ADA0001", name: "ada" },
      channel: { id: "C00000001" },
      number: 1,
      pagerdutyNumber: 1,
    });
    const [opened, ...others] = await pagerdutyWrites(herald);
    expect(others).toEqual([]);
    expect(opened).toEqual({
      method: "POST",
      path: "/pagerduty/incidents",
      from: "herald@example.com",
      body: {
        incident: {
          type: "incident",
          title: "VPC peering to the shared account is down",
          service: { id: "PNETWRK", type: "service_reference" },
          priority: { id: "PPRIOP2", type: "priority_reference" },
          incident_key: list.incidents[0].id,
          body: { type: "incident_body", details: "Declared in chat by ada as incident 1." },
        },
      },
    });
    // PagerDuty then says the incident it opened was triggered: the same incident, not a second one.
    const triggered = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    triggered.event.data.id = "PDECL001";
    triggered.event.data.title = "VPC peering to the shared account is down";
    triggered.event.occurred_at = new Date().toISOString();
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(triggered)));
    await herald.settle();
    const after = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: any[] };
    expect(after.incidents.map((i) => [i.id, i.pagerdutyId])).toEqual([[list.incidents[0].id, "PDECL001"]]);
    expect((await herald.slackCalls()).filter((c) => c.method === "conversations.create")).toHaveLength(1);

    // In the incident's own channel, declare says so instead of opening another.
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("declare P1 networking again")))).toBe(
      "This channel is the incident's already: VPC peering to the shared account is down (from PagerDuty). Declare a new one from the team channel.",
    );
  });

  it("declares once when the same person says the same declare again, and tells them where its channel is", async () => {
    const herald = await harness.start();
    const declare = async (text: string, n: number, user = "U0ADA0001") =>
      herald.request("/slack/commands", await slashCommand(text, { channel: "C0TEAM0001", user, responseUrl: `${harness.vendorsUrl}/slack/response/declare-${n}` }));
    const incidents = async () => ((await (await herald.request("/api/incidents", auth)).json()) as { incidents: any[] }).incidents;
    expect(await ephemeral(await declare("declare P2 networking VPC peering is down", 1))).toBe("Declaring *VPC peering is down* (P2, networking): Herald is opening its channel.");
    await herald.settle();
    const [first] = await incidents();
    const calls = (await herald.slackCalls()).length;

    // Said again (Slack said the command failed, say), in other case and spacing: answered at once,
    // only to the person who said it, with where the incident is; nothing stored, opened or posted.
    expect(await ephemeral(await declare("declare P2 networking VPC  peering is DOWN ", 2))).toBe(
      `:rotating_light: You declared *VPC peering is down* less than a minute ago, and it is still open: its channel is <#${first.channel.id}>. Nothing more is declared. To declare another incident, give it another title.`,
    );
    await herald.settle();
    expect(await incidents()).toHaveLength(1);
    expect(await herald.slackCalls()).toHaveLength(calls);
    expect((await pagerdutyWrites(herald)).filter((c) => c.path === "/pagerduty/incidents")).toHaveLength(1);

    // Another person, priority, service or title: an incident of its own.
    for (const [n, text, user] of [
      [3, "declare P2 networking VPC peering is down", "U0GRACE01"],
      [4, "declare P1 networking VPC peering is down", "U0ADA0001"],
      [5, "declare P2 operations VPC peering is down", "U0ADA0001"],
      [6, "declare P2 networking VPC peering is down again", "U0ADA0001"],
    ] as const) {
      expect(await ephemeral(await declare(text, n, user))).toMatch(/^Declaring /);
    }
    await herald.settle();
    expect(await incidents()).toHaveLength(5);

    // Said twice before the first is on the record: both are taken at once, and the second is found to
    // be the same in the background, where only its sender is told.
    for (const n of [7, 8]) expect(await ephemeral(await declare("declare P3 networking NAT gateway drops packets", n))).toMatch(/^Declaring /);
    await herald.settle();
    const nat = (await incidents()).filter((i) => i.title === "NAT gateway drops packets");
    expect(nat).toHaveLength(1);
    // Found as the first's room is being made, or once it is: where it is, either way.
    expect((await herald.slackCalls()).filter((c) => c.method === "response_url").map((c) => [c.body.url, c.body.response_type, c.body.text])).toEqual([
      [
        "/slack/response/declare-8",
        "ephemeral",
        expect.stringMatching(
          new RegExp(
            `^:rotating_light: You declared \\*NAT gateway drops packets\\* less than a minute ago, and it is still open: (its channel is <#${nat[0].channel.id}>|Herald is opening its channel)\\. Nothing more is declared\\. To declare another incident, give it another title\\.$`,
          ),
        ),
      ],
    ]);

    // Once it is resolved, the same declare is a new incident.
    await herald.request("/slack/commands", await slashCommand("lead me", { channel: first.channel.id }));
    await herald.settle();
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("resolve the peering was restored", { channel: first.channel.id })))).toMatch(/resolv/i);
    await herald.settle();
    expect(await ephemeral(await declare("declare P2 networking VPC peering is down", 9))).toMatch(/^Declaring /);
    await herald.settle();
    expect((await incidents()).filter((i) => i.title === "VPC peering is down")).toHaveLength(5);
  });

  it("gives the role to whoever clicks “I'll lead” or “I'll scribe” under the summary", async () => {
    const herald = await withIncident();
    const summary = (await herald.slackCalls()).find((c) => String(c.body.text).startsWith(":rotating_light:"))!;
    const blocks = JSON.parse(String(summary.body.blocks));
    expect(blocks[1].elements.map((e: any) => [e.action_id, e.text.text])).toEqual([
      ["volunteer_lead", "I'll lead"],
      ["volunteer_scribe", "I'll scribe"],
    ]);
    const click = (actionId: string, user: string, name: string) => {
      const payload = JSON.parse(interactions["interactivity_block_actions_docs-example.java-slack-sdk.json"]!);
      payload.channel = { id: "C00000001", name: "inc" };
      payload.user = { id: user, username: name, team_id: "T0TEAM" };
      payload.trigger_id = `${actionId}.${user}`;
      payload.actions = [{ action_id: actionId, block_id: "volunteer", value: blocks[1].elements[0].value, type: "button" }];
      return signed(`payload=${encodeURIComponent(JSON.stringify(payload))}`, "application/x-www-form-urlencoded");
    };
    expect((await herald.request("/slack/interactions", await click("volunteer_lead", "U0GRACE01", "grace"))).status).toBe(200);
    expect((await herald.request("/slack/interactions", await click("volunteer_scribe", "U0ADA0001", "ada"))).status).toBe(200);
    await herald.settle();
    expect((await timeline(herald)).slice(1)).toEqual([
      ["role.assigned", "event", "slack", "grace", "grace is now Incident Lead"],
      ["role.assigned", "event", "slack", "ada", "ada is now Scribe"],
    ]);
  });

  it("files a message in the log with the “Add to incident log” shortcut, and leaves other interactions alone", async () => {
    const herald = await withIncident();
    const shortcut = (channel: string, text: string) => {
      const payload = JSON.parse(interactions["interactivity_message_action.java-slack-sdk.json"]!);
      payload.callback_id = "add_to_incident_log";
      payload.channel.id = channel;
      payload.message.text = text;
      payload.trigger_id = `${channel}.${Date.now()}`;
      return signed(`payload=${encodeURIComponent(JSON.stringify(payload))}`, "application/x-www-form-urlencoded");
    };
    const filed = await herald.request("/slack/interactions", await shortcut("C00000001", "decision: fail over to eu-west-2"));
    expect(filed.status).toBe(200);
    const elsewhere = await herald.request("/slack/interactions", await shortcut("C0TEAM0001", "not in an incident"));
    expect(elsewhere.status).toBe(200);
    const other = interactions["interactivity_block_actions_docs-example.java-slack-sdk.json"]!;
    const ignored = await herald.request("/slack/interactions", await signed(`payload=${encodeURIComponent(other)}`, "application/x-www-form-urlencoded"));
    expect(ignored.status).toBe(200);
    await herald.settle();
    expect((await timeline(herald)).slice(1)).toEqual([["note.added", "decision", "slack", "test-test", "fail over to eu-west-2"]]);
    expect((await pagerdutyWrites(herald)).map((c) => c.body)).toEqual([{ note: { content: "decision: fail over to eu-west-2" } }]);
  });

  it("triage shows the four criteria; not-incident raises a GitHub issue and posts its link where it was said", async () => {
    const herald = await harness.start();
    const triage = await ephemeral(await herald.request("/slack/commands", await slashCommand("triage", { channel: "C0TEAM0001" })));
    expect(triage.split("\n").slice(0, 4)).toEqual([
      "*Is this an incident?* It is if the event is *unplanned*, and it:",
      "• impacts end users or our direct users (developers and engineers), or",
      "• degrades user-facing services, or",
      "• increases risk to production services.",
    ]);
    expect(triage).toContain("`/incident not-incident <reason>` raises an issue instead.");
    expect(triage).toContain(":lock: If this is a security breach:");

    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("not-incident planned maintenance overran by ten minutes", { channel: "C0TEAM0001", responseUrl: `${harness.vendorsUrl}/slack/response/cmd-1` })))).toBe(
      "Recorded as not an incident; Herald is raising an issue with your reason and will post its link here.",
    );
    await herald.settle();
    expect((await herald.githubCalls()).map((c) => (c.body as any).title)).toEqual(["planned maintenance overran by ten minutes"]);
    expect((await herald.githubCalls())[0]!.body).toMatchObject({ labels: ["not-an-incident"] });
    expect(((await herald.githubCalls())[0]!.body as any).body).toContain("**Why it is not an incident:** planned maintenance overran by ten minutes");
    // Through the command's response_url: Herald need not be a member of the channel it was said in.
    expect((await herald.slackCalls()).map((c) => [c.method, c.body.url, c.body.response_type, c.body.text])).toEqual([
      ["response_url", "/slack/response/cmd-1", "in_channel", ":clipboard: Recorded as *not an incident*: planned maintenance overran by ten minutes\nRaised <https://github.com/platform/incidents/issues/1|#1 planned maintenance overran by ten minutes> instead."],
    ]);
    const list = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: unknown[] };
    expect(list.incidents).toEqual([]);

    // Said again with the same reason (Slack said the command failed, say): answered at once, only
    // to the person who said it, with where the issue is; nothing stored, posted or filed.
    expect(
      await ephemeral(
        await herald.request("/slack/commands", await slashCommand("not-incident Planned maintenance overran by ten minutes", { channel: "C0TEAM0001", responseUrl: `${harness.vendorsUrl}/slack/response/cmd-2` })),
      ),
    ).toBe(
      ":clipboard: You said this is not an incident less than a minute ago, with the same reason: its issue is <https://github.com/platform/incidents/issues/1|#1 planned maintenance overran by ten minutes>. Nothing more is filed.",
    );
    await herald.settle();
    expect(await herald.githubCalls()).toHaveLength(1);
    expect(await herald.slackCalls()).toHaveLength(1);

    // Said twice before the first is on the record: the second is taken at once, and found to be the
    // same one in the background, where only its sender is told.
    for (const n of [3, 4]) {
      await herald.request("/slack/commands", await slashCommand("not-incident a load test from the perf team", { channel: "C0TEAM0001", responseUrl: `${harness.vendorsUrl}/slack/response/cmd-${n}` }));
    }
    await herald.settle();
    expect((await herald.githubCalls()).map((c) => (c.body as any).title)).toEqual(["planned maintenance overran by ten minutes", "a load test from the perf team"]);
    // Each answer in its own lane: in either order.
    expect((await herald.slackCalls()).slice(1).map((c) => [c.body.url, c.body.response_type, c.body.text]).sort()).toEqual([
      ["/slack/response/cmd-3", "in_channel", ":clipboard: Recorded as *not an incident*: a load test from the perf team\nRaised <https://github.com/platform/incidents/issues/2|#2 a load test from the perf team> instead."],
      [
        "/slack/response/cmd-4",
        "ephemeral",
        ":clipboard: You said this is not an incident less than a minute ago, with the same reason: Herald is raising its issue and will post the link where it was said. Nothing more is filed.",
      ],
    ]);

    const security = await ephemeral(await herald.request("/slack/commands", await slashCommand("declare P1 security credentials leaked", { channel: "C0TEAM0001" })));
    expect(security).toContain(":lock: Also report it to the security team");
  });

  it("answers help, and every malformed command with its usage, storing and sending nothing", async () => {
    const herald = await withIncident();
    const callsBefore = (await herald.slackCalls()).length;
    const timelineBefore = await timeline(herald);
    const help = await ephemeral(await herald.request("/slack/commands", await slashCommand("help")));
    expect(help).toContain("`/incident lead @user | lead me [--take-over]` — hand on or volunteer as Incident Lead (--take-over confirms taking it from its holder)");
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("")))).toBe(help);
    const cases: [string, RegExp][] = [
      ["lead", /^Name one person, or say `lead me`\.\nUsage: `lead @user \| lead me \[--take-over\]`, for example `lead me`\nSee `\/incident help` for every command\.$/],
      ["lead @grace", /^'@grace' is a typed name, not a mention: pick the person from the list that opens as you type @/],
      ["scribe ada", /^Name one person/],
      ["role pilot @ada", /^'pilot' is not a role \(comms;/],
      ["note decison: typo", /^'decison' is not a category/],
      ["note", /^The note is empty\./],
      ["checkin every 1", /^Give the cadence in minutes/],
      ["ticket gcp 1", /^'gcp' has no escalation route \(aws\)\./],
      ["resolve", /^Add a note on how it was resolved\./],
      ["declare P9 networking x", /^'P9' is not a priority \(P1, P2, P3\)\./],
      ["frobnicate", /^Unknown command 'frobnicate'\./],
    ];
    for (const [text, expected] of cases) {
      expect(await ephemeral(await herald.request("/slack/commands", await slashCommand(text))), text).toMatch(expected);
    }
    // Nothing was stored to process (checked before any background run could take it away).
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
    await herald.settle();
    expect(await timeline(herald)).toEqual(timelineBefore);
    expect((await herald.slackCalls()).length).toBe(callsBefore);
  });

  it("outside an incident channel, says which incident channels exist", async () => {
    const herald = await withIncident();
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("lead me", { channel: "C0TEAM0001" })))).toBe(
      "`/incident lead` works in an incident's channel. Incident channels now: <#C00000001>.",
    );
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
    // With many open, the oldest few point the way.
    const [first] = await herald.store.openIncidents(1);
    const more = Array.from({ length: 11 }, (_, i) => ({ ...first!, id: `inc-more-${i}`, pagerdutyId: null, triggeredAt: `2999-01-01T00:00:${String(i).padStart(2, "0")}.000Z`, channel: { id: `C0MORE${String(i).padStart(4, "0")}`, name: `inc-more-${i}` } }));
    await herald.store.saveIncidents(more, [], first!.updatedAt);
    const listed = ["<#C00000001>", ...more.slice(0, 9).map((i) => `<#${i.channel.id}>`)].join(", ");
    expect(await ephemeral(await herald.request("/slack/commands", await slashCommand("lead me", { channel: "C0TEAM0001" })))).toBe(
      `\`/incident lead\` works in an incident's channel. Incident channels now: ${listed} and more.`,
    );
  });

  it("refuses a bad signature or a stale timestamp with 401, and answers Slack's ssl_check", async () => {
    const herald = await withIncident();
    const wrong = await herald.request("/slack/commands", await slashCommand("lead me", { secret: "not-the-secret" }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: "invalid_signature", message: "X-Slack-Signature does not match the signing secret" } });
    const stale = await herald.request("/slack/commands", await slashCommand("lead me", { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }));
    expect(stale.status).toBe(401);
    expect(await stale.json()).toEqual({ error: { code: "invalid_signature", message: "X-Slack-Request-Timestamp is more than 5 minutes away" } });
    const probe = await herald.request("/slack/commands", await signed("ssl_check=1&token=x", "application/x-www-form-urlencoded"));
    expect(probe.status).toBe(200);
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
  });

  it("answers the Events API URL check and acknowledges events, asking Slack not to retry", async () => {
    const herald = await harness.start();
    const check = await herald.request("/slack/events", await signed(events["url_verification.python-slack-events-api.json"]!, "application/json"));
    expect(check.status).toBe(200);
    expect(await check.json()).toEqual({ challenge: "valid_challenge_token" });
    for (let retry = 0; retry < 2; retry++) {
      const init = await signed(events["event_callback_reaction_added.python-slack-events-api.json"]!, "application/json");
      (init.headers as Record<string, string>)["x-slack-retry-num"] = String(retry);
      const response = await herald.request("/slack/events", init);
      expect(response.status).toBe(200);
      expect(response.headers.get("x-slack-no-retry")).toBe("1");
    }
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
  });
});
