import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { API_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";

const auth = { headers: { authorization: `Bearer ${API_TOKEN}` } };

describe(`a PagerDuty incident end to end (${harness.runtime})`, () => {
  it("triggered(P1) → acknowledged → annotated → resolved posts each message once, even when every delivery comes twice", async () => {
    const herald = await harness.start();
    for (const step of lifecycle(deliveries)) {
      for (let copy = 0; copy < 2; copy++) {
        const response = await herald.request("/webhooks/pagerduty", await signedDelivery(step.body, { webhookId: `wh-${step.name}` }));
        expect(response.status, `${step.name} copy ${copy}`).toBe(202);
      }
      await herald.settle();
      // A redelivery after the work is done changes nothing either.
      await herald.request("/webhooks/pagerduty", await signedDelivery(step.body));
      await herald.settle();
    }

    const all = await herald.slackCalls();
    const posting = new Set(["conversations.create", "chat.postMessage", "chat.update"]);
    const calls = all.filter((c) => posting.has(c.method));
    const announcementTs = (await herald.store.getIncident("PFQZPSY"))!.announcements![0]!.messageId;
    // Each target's calls in order; targets go side by side (the announcement does not wait for the room).
    const to = (channel: string) => calls.filter((c) => c.body.channel === channel);
    expect(calls).toHaveLength(12);
    expect([calls[0]!.method, calls[0]!.body.name]).toEqual(["conversations.create", "inc-9-test-incident-3"]);
    // The resolution's draft replaces the incident's, never published: that one's post is edited to
    // say so, its button taken away, before the new draft is posted.
    const pendingTs = (await herald.store.effectsFor((await herald.store.getIncident("PFQZPSY"))!.id)).find((e) => e.key.endsWith(":review"))!.result as { id: string };
    expect(to("C00000001").map((c) => [c.method, c.body.ts ?? c.body.thread_ts ?? null])).toEqual([
      ...Array.from({ length: 4 }, () => ["chat.postMessage", null]),
      ["chat.update", pendingTs.id],
      ["chat.postMessage", null],
    ]);
    const retired = to("C00000001").find((c) => c.method === "chat.update")!;
    expect([String(retired.body.text).split("\n")[0], retired.body.blocks]).toEqual([":memo: *Status page: this draft was replaced by a newer one*, posted below, and was not published:", "[]"]);
    // The call for volunteers, in the team channel.
    expect(to(TEAM_CHANNELS.team).map((c) => [c.method, c.body.ts ?? c.body.thread_ts ?? null])).toEqual([["chat.postMessage", null]]);
    // The announcement follows the incident in place, and the resolution goes in its thread.
    expect(to(TEAM_CHANNELS.update).map((c) => [c.method, c.body.ts ?? c.body.thread_ts ?? null])).toEqual([
      ["chat.postMessage", null],
      ["chat.update", announcementTs],
      ["chat.postMessage", announcementTs],
      ["chat.update", announcementTs],
    ]);
    const [summary, pending, note, resolution, resolutionPending] = to("C00000001").filter((c) => c.method === "chat.postMessage").map((c) => String(c.body.text));
    const [announcement, acknowledged, resolvedNotice, resolvedInPlace] = to(TEAM_CHANNELS.update).map((c) => String(c.body.text));
    const volunteers = to(TEAM_CHANNELS.team)[0]!;
    // PagerDuty's assignee (found in Slack by their PagerDuty email) is brought into the room; the
    // summary is pinned; the topic follows the status.
    expect(all.filter((c) => !posting.has(c.method)).map((c) => [c.method, c.body.channel ?? c.body.email, c.body.users ?? c.body.topic ?? c.body.timestamp])).toEqual([
      ["users.lookupByEmail", "ada@example.com", undefined],
      ["conversations.invite", "C00000001", "U0ADA0001"],
      ["pins.add", "C00000001", to("C00000001")[0]!.body.ts ?? expect.any(String)],
      ["conversations.setTopic", "C00000001", "P1 · triggered · Lead: needed · Scribe: needed"],
      ["conversations.setTopic", "C00000001", "P1 · acknowledged · Lead: needed · Scribe: needed"],
      ["conversations.setTopic", "C00000001", "P1 · resolved · Lead: needed · Scribe: needed"],
    ]);
    expect(volunteers.body.text).toMatch(/^:raising_hand: \*Volunteers wanted: P1 incident 9: Test Incident 3\*/);
    expect(JSON.parse(String(volunteers.body.blocks))[1].elements.map((e: any) => [e.action_id, e.value])).toEqual([
      ["volunteer_lead", "PFQZPSY"],
      ["volunteer_scribe", "PFQZPSY"],
    ].map(([a]) => [a, expect.any(String)]));
    expect(pending).toMatch(/^:memo: \*Status page: an update is pending\*/);
    expect(resolutionPending).toMatch(/^:memo: \*Status page: the resolution is pending\*/);
    expect(announcement).toContain("*Status:* investigating");
    expect(acknowledged).toContain("*Status:* the team is working on it");
    expect(resolvedInPlace).toContain(":white_check_mark: *Resolved: Test Incident 3*");
    expect(resolvedInPlace).toContain("*Status:* resolved");
    expect(note).toBe(":memo: *Note from PagerDuty* by Harsh Santwani: Running KILL on long-running queries from the reporting-service.");
    expect(summary).toContain(":rotating_light: *P1 incident 9: Test Incident 3*");
    expect(summary).toContain("_The whole platform is down or unavailable, all user applications are unavailable_");
    expect(summary).toContain("*Service:* pig208");
    expect(summary).toContain("*Assigned in PagerDuty:* PIG 208");
    expect(summary).toContain("<https://pig208.pagerduty.com/incidents/PFQZPSY|incident #9>");
    expect(summary).toContain("triggered 4 Jun 2021 14:35 BST");
    expect(announcement).toContain("*We are investigating an incident: Test Incident 3*");
    expect(announcement).toContain("*Since:* 4 Jun 2021 14:35 BST");
    expect(announcement).toContain(`tell us in <#${TEAM_CHANNELS.ask}>.`);
    expect(announcement).toContain("*Next update:* within 30 minutes, here.");
    expect(resolution).toContain(":white_check_mark: *Resolved: Test Incident 3*");
    expect(resolution).toContain("Resolved 4 Jun 2021 15:20 BST, 45 minutes after it began.");
    expect(resolvedNotice).toBe(resolution);
    for (const call of calls.filter((c) => c.method === "chat.postMessage")) {
      expect(JSON.parse(String(call.body.metadata))).toMatchObject({ event_type: "herald_post" });
    }

    const list = (await (await herald.request("/api/incidents", auth)).json()) as { incidents: { pagerdutyId: string }[] };
    expect(list.incidents.map((i) => i.pagerdutyId)).toEqual(["PFQZPSY"]);
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as Record<string, any>;
    expect(detail.incident).toMatchObject({
      pagerdutyId: "PFQZPSY",
      number: 9,
      title: "Test Incident 3",
      priority: "P1",
      status: "resolved",
      urgency: "high",
      service: { id: "PA2P440", name: "pig208" },
      triggeredAt: "2021-06-04T13:35:29.781Z",
      acknowledgedAt: "2021-06-04T13:39:10.000Z",
      resolvedAt: "2021-06-04T14:20:29.781Z",
      channel: { id: "C00000001", name: "inc-9-test-incident-3" },
    });
    expect(detail.timeline.filter((e: any) => e.source !== "herald").map((e: any) => [e.kind, e.category, e.source, e.author?.name, e.text])).toEqual([
      ["incident.triggered", "event", "pagerduty", "PIG 208", "Triggered by PIG 208: Test Incident 3 (P1, pig208, high urgency)"],
      ["incident.acknowledged", "event", "pagerduty", "PIG 208", "Acknowledged by PIG 208"],
      ["incident.annotated", "event", "pagerduty", "Harsh Santwani", "Running KILL on long-running queries from the reporting-service."],
      ["incident.resolved", "event", "pagerduty", "PIG 208", "Resolved by PIG 208"],
    ]);
    expect(detail.effects.map((e: any) => [e.kind, e.status, e.attempts])).toEqual(
      [
        // Triggered: the room, the assignee in it, the summary, the call for volunteers, the
        // announcement, the status draft, the room's topic; then the draft's post for review.
        "create_channel", "invite_assignees", "post_message", "post_message", "post_message", "status_draft", "set_topic", "post_message",
        // Acknowledged: the announcement in place, the topic.
        "update_announcements", "set_topic",
        // Annotated: the note.
        "post_message",
        // Resolved: in the room and the announcement's thread, the resolution draft, the announcement,
        // the topic; the earlier draft's post marked replaced, and the new draft's post.
        "post_message", "post_message", "status_draft", "update_announcements", "set_topic", "retire_review", "post_message",
      ].map((kind) => [kind, "done", 1]),
    );
    // Notes from PagerDuty go to chat, never back to PagerDuty (which is only asked for the assignee's email).
    expect((await herald.pagerdutyCalls()).map((c) => `${c.method} ${c.path}`)).toEqual(["GET /pagerduty/users/PJ0LVEB"]);
  });

  it("invites the assignees it can find though one was deleted from PagerDuty since, and names who it could not find", async () => {
    const herald = await harness.start();
    const delivery = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    const [ada] = delivery.event.data.assignees;
    delivery.event.data.assignees = [
      ada,
      { ...ada, id: "PDELETED1", summary: "Former Colleague", self: "https://api.pagerduty.com/users/PDELETED1" },
      { ...ada, id: "PTUXL6G", summary: "User 123", self: "https://api.pagerduty.com/users/PTUXL6G" },
    ];
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(delivery)))).status).toBe(202);
    await herald.settle();

    const invites = (await herald.slackCalls()).filter((c) => c.method === "conversations.invite").map((c) => [c.body.channel, c.body.users]);
    expect(invites).toEqual([["C00000001", "U0ADA0001,U0GRACE01"]]);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    const effect = (await herald.store.effectsFor(incident.id)).find((e) => e.payload.kind === "invite_assignees")!;
    expect([effect.status, effect.result]).toEqual(["done", { invited: ["U0ADA0001", "U0GRACE01"], notFound: ["Former Colleague"], refused: [] }]);
    // The room is told once whom Herald could not bring in, and why (not the address itself).
    const told = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith(":warning:"));
    expect(told.map((c) => [c.body.channel, c.body.text])).toEqual([
      [
        "C00000001",
        ":warning: *Herald could not add everyone to this room.* Former Colleague: PagerDuty gave no email address for them (their PagerDuty user may have been deleted). Add them by hand if they should be here.",
      ],
    ]);
  });

  it("brings whoever PagerDuty pages next into the room when it escalates; someone in it already is no obstacle", async () => {
    const herald = await harness.start();
    const triggered = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(triggered)))).status).toBe(202);
    await herald.settle();
    // PagerDuty escalates to grace and keeps ada (its fixture's escalation, on this incident).
    const escalated = JSON.parse(deliveries["zulip_escalated_v3.json"]!);
    const [ada] = triggered.event.data.assignees;
    escalated.event.data = { ...triggered.event.data, assignees: [ada, { ...ada, id: "PTUXL6G", summary: "User 123", self: "https://api.pagerduty.com/users/PTUXL6G" }] };
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(escalated)))).status).toBe(202);
    await herald.settle();

    const invites = (await herald.slackCalls()).filter((c) => c.method === "conversations.invite").map((c) => c.body.users);
    expect(invites).toEqual(["U0ADA0001", "U0ADA0001,U0GRACE01", "U0GRACE01"]);
    const members = (await (await fetch(`${harness.vendorsUrl}/slack/__members/C00000001`)).json()) as string[];
    expect(members.sort()).toEqual(["U0ADA0001", "U0GRACE01", "U0HERALD01"]);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    const effects = (await herald.store.effectsFor(incident.id)).filter((e) => e.payload.kind === "invite_assignees");
    expect(effects.map((e) => [e.status, e.result])).toEqual([
      ["done", { invited: ["U0ADA0001"], notFound: [], refused: [] }],
      ["done", { invited: ["U0ADA0001", "U0GRACE01"], notFound: [], refused: [] }],
    ]);
  });

  it("brings a responder who accepts PagerDuty's request to help into the room; one still pending is not; one not in chat is named", async () => {
    const herald = await harness.start();
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(deliveries["zulip_triggered_v3.json"]!))).status).toBe(202);
    await herald.settle();
    // PagerDuty's published replies, on this incident, from grace: first pending, then accepted.
    const reply = JSON.parse(deliveries["zulip_responder_replied_v3.json"]!);
    reply.event.data.incident = { ...reply.event.data.incident, id: "PFQZPSY" };
    reply.event.data.user = { ...reply.event.data.user, id: "PTUXL6G", summary: "User 123" };
    const kim = { ...reply.event.data.user, id: "PKIMNOCHAT", summary: "Kim Park" };
    for (const [n, [state, user]] of ([["pending", reply.event.data.user], ["accepted", reply.event.data.user], ["accepted", kim]] as const).entries()) {
      const delivery = { ...reply, event: { ...reply.event, id: `${reply.event.id}-${n}`, data: { ...reply.event.data, state, user } } };
      expect((await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(delivery)))).status).toBe(202);
      await herald.settle();
    }
    const invites = (await herald.slackCalls()).filter((c) => c.method === "conversations.invite").map((c) => c.body.users);
    expect(invites).toEqual(["U0ADA0001", "U0GRACE01"]);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    // Kim has no Slack account under PagerDuty's email for her: named (not by PagerDuty id) among those not found.
    const kimsInvite = (await herald.store.effectsFor(incident.id)).filter((e) => e.payload.kind === "invite_assignees").at(-1)!;
    expect([kimsInvite.status, kimsInvite.result]).toEqual(["skipped", { invited: [], notFound: ["Kim Park"], refused: [] }]);
    const told = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith(":warning:")).map((c) => c.body.text);
    expect(told).toEqual([":warning: *Herald could not add everyone to this room.* Kim Park: nobody in chat has the email address PagerDuty has for them. Add them by hand if they should be here."]);
    expect(JSON.stringify(told)).not.toContain("@example");
    const timeline = (await herald.store.timeline(incident.id)).map((e) => e.text);
    expect(timeline.filter((t) => t.startsWith("Responder User 123 replied"))).toEqual(["Responder User 123 replied: pending", "Responder User 123 replied: accepted"]);
  });

  it("a P3 incident gets its channel and summary but no announcement", async () => {
    const herald = await harness.start();
    const envelope = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    envelope.event.data.priority = { id: "PP3", type: "priority_reference", summary: "P3" };
    envelope.event.data.title = "<!channel> <https://evil.example|click> & more";
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(envelope)));
    await herald.settle();
    const calls = (await herald.slackCalls()).filter((c) => c.method === "conversations.create" || c.method === "chat.postMessage");
    expect(calls.map((c) => [c.method, c.body.channel ?? c.body.name])).toEqual([
      ["conversations.create", "inc-9-channel-https-evil-example-click-more"],
      ["chat.postMessage", "C00000001"],
      ["chat.postMessage", TEAM_CHANNELS.team],
      // The pending status-page update, for review (in the incident channel only).
      ["chat.postMessage", "C00000001"],
    ]);
    // User text is escaped for mrkdwn: it pings nobody and links nowhere.
    expect(String(calls[1]!.body.text)).toContain("*P3 incident 9: &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; more*");
    expect(String(calls[2]!.body.text)).toContain("incident 9: &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; more*");
  });

  it("when Slack refuses to make the room, tells the team channel once, quoting the room's name as Slack would have it", async () => {
    const herald = await harness.start();
    await herald.failSlack("conversations.create", { error: "restricted_action" });
    const [triggered] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    const notices = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && String(c.body.text).includes("could not make this incident's room"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body.channel).toBe(TEAM_CHANNELS.team);
    // The pattern's "inc-{number}-{title}" gives "inc-9-Test Incident 3"; Slack's rules make it this.
    expect(String(notices[0]!.body.text)).toContain("\n>#inc-9-test-incident-3\n");
    const failed = (await (await herald.request("/api/effects/failed", auth)).json()) as { effects: { kind: string; what: string }[] };
    expect(failed.effects.map((e) => [e.kind, e.what])).toEqual([["create_channel", "#inc-9-test-incident-3"]]);
  });

  it("retries a Slack failure in the background and still posts once", async () => {
    const herald = await harness.start();
    // The incident room's first post (the summary) fails once.
    await herald.failSlack("chat.postMessage", { error: "internal_error", channel: "C00000001" });
    const [triggered] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as Record<string, any>;
    const summary = detail.effects.find((e: any) => e.payload.template === "incident-summary");
    expect(summary).toMatchObject({ status: "pending", attempts: 1, lastError: "chat.postMessage: internal_error" });
    // The room's later posts wait behind it, to keep their order; the users' announcement needs no room and is out.
    expect(detail.effects.filter((e: any) => e.status === "done").map((e: any) => e.payload.template ?? e.kind)).toEqual(["create_channel", "invite_assignees", "user-announcement"]);
    expect((await herald.slackCalls()).filter((c) => c.method === "chat.postMessage").map((c) => c.body.channel).sort()).toEqual(["C00000001", TEAM_CHANNELS.update].sort());

    // Time passes to the retry (its due time brought forward): the summary is posted, once, and the rest follows.
    await herald.store.finishEffect(summary.key, { status: "pending", error: summary.lastError, nextAttemptAt: new Date(Date.now() - 1000).toISOString() }, new Date().toISOString());
    await herald.settle();
    const posts = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage");
    // The failed attempt and the announcement (either first), then (after checking it had not landed after all) the summary, the call for volunteers and the status draft.
    const [first, second, ...rest] = posts;
    expect([first, second].map((c) => [c!.body.channel, String(c!.body.text).split("\n")[0]]).sort()).toEqual([
      ["C00000001", expect.stringMatching(/^:rotating_light: \*P1 incident 9/)],
      [TEAM_CHANNELS.update, expect.stringMatching(/^:warning:/)],
    ]);
    expect(rest.map((c) => [c.body.channel, String(c.body.text).split("\n")[0]])).toEqual([
      ["C00000001", expect.stringMatching(/^:rotating_light: \*P1 incident 9/)],
      [TEAM_CHANNELS.team, expect.stringMatching(/^:raising_hand:/)],
      ["C00000001", expect.stringMatching(/^:memo:/)],
    ]);
    const after = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as Record<string, any>;
    expect(after.effects.find((e: any) => e.key === summary.key)).toMatchObject({ status: "done", attempts: 2 });
    expect(after.effects.every((e: any) => e.status === "done")).toBe(true);
  });
});
