import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { retriesRun } from "../support/harness.js";
import { deliveries } from "../support/fixtures.js";
import { interactions } from "../support/slack-fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { signed, slashCommand } from "../support/slack-requests.js";

function publishClick(value = "x") {
  const payload = JSON.parse(interactions["interactivity_block_actions_docs-example.java-slack-sdk.json"]!);
  payload.channel = { id: "C00000001", name: "inc" };
  payload.user = { id: "U0GRACE01", username: "grace", team_id: "T0TEAM" };
  payload.trigger_id = `publish.${Date.now()}`;
  payload.response_url = `${harness.vendorsUrl}/slack/response/publish-${payload.trigger_id}`;
  payload.actions = [{ action_id: "status_publish", block_id: "status", value, type: "button" }];
  return signed(`payload=${encodeURIComponent(JSON.stringify(payload))}`, "application/x-www-form-urlencoded");
}

/** Herald with a P1 paged, and Grace's commands to it, each settled. */
async function pagedIncident() {
  const herald = await harness.start();
  const [triggered] = lifecycle(deliveries);
  await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
  await herald.settle();
  const command = async (text: string) => {
    await herald.request("/slack/commands", await slashCommand(text, { user: "U0GRACE01", userName: "grace" }));
    await herald.settle();
  };
  return { herald, command };
}

/** A call to the fake PagerDuty's own routes (`__fault`, `__status_posts`…). */
const fake = (path: string, body: unknown) => fetch(`${harness.vendorsUrl}/pagerduty/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** The first update and "The fix is rolling out." each published once, and Grace told of each. */
async function expectBothPublished(herald: Awaited<ReturnType<typeof harness.start>>) {
  const incident = (await herald.store.getIncident("PFQZPSY"))!;
  expect(incident.statusPage!.published.map((p) => p.message)).toEqual([expect.stringMatching(/^We are investigating/), "The fix is rolling out."]);
  const told = (await herald.slackCalls()).filter((c) => String(c.body.text).startsWith(":globe_with_meridians: <@U0GRACE01> published"));
  expect(told).toHaveLength(2);
}

describe(`the external status page (${harness.runtime})`, () => {
  it("publishes each update once when PagerDuty's answer was lost: a retry finds the post, then the update, before sending", async () => {
    const { herald, command } = await pagedIncident();
    const lose = (route: string) => fetch(`${harness.vendorsUrl}/pagerduty/__fault`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ call: `POST ${route}`, lose: true }) });
    await command("lead me");

    await lose("/status_pages/:id/posts");
    await command("status publish");
    await retriesRun(herald);
    await command("status draft The fix is rolling out.");
    await lose("/status_pages/:id/posts/:post/post_updates");
    await command("status publish");
    await retriesRun(herald);

    const sent = (await herald.pagerdutyCalls()).filter((c) => c.path.includes("/status_pages/PSTATUS1/posts")).map((c) => `${c.method} ${c.path.replace(/PPOST\d+/, "PPOST")}`);
    expect(sent).toEqual([
      "POST /pagerduty/status_pages/PSTATUS1/posts",
      "GET /pagerduty/status_pages/PSTATUS1/posts?post_type=incident&limit=100&offset=0",
      "GET /pagerduty/status_pages/PSTATUS1/posts/PPOST/post_updates?limit=100&offset=0",
      "POST /pagerduty/status_pages/PSTATUS1/posts/PPOST/post_updates",
      "GET /pagerduty/status_pages/PSTATUS1/posts/PPOST/post_updates?limit=100&offset=0",
    ]);
    await expectBothPublished(herald);
  });

  it("keeps a draft written again as it stands: no second review post, and whoever asked is told; a different text replaces it", async () => {
    const { herald } = await pagedIncident();
    const draft = (text: string, id: string) => slashCommand(`status draft ${text}`, { responseUrl: `${harness.vendorsUrl}/slack/response/${id}` });
    const reviews = async () => (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith(":memo: *Status page")).map((c) => String(c.body.text).split("\n")[1]);
    const rulesDraft = (await reviews()).length;
    await herald.request("/slack/commands", await draft("The fix is rolling out.", "first"));
    await herald.settle();
    // Said again, as after a command whose answer was cut off.
    await herald.request("/slack/commands", await draft("The fix is rolling out.", "again"));
    await herald.settle();
    expect((await reviews()).slice(rulesDraft)).toEqual([">The fix is rolling out."]);
    expect((await herald.slackCalls()).filter((c) => c.method === "response_url").map((c) => [c.body.url, c.body.response_type, c.body.text])).toEqual([
      ["/slack/response/again", "ephemeral", ":memo: The pending status-page update says that already, and is unchanged: publish it with its button or `/incident status publish`."],
    ]);
    expect((await herald.store.getIncident("PFQZPSY"))!.statusPage!.draft!.message).toBe("The fix is rolling out.");
    // Another text is a new draft, as before.
    await herald.request("/slack/commands", await draft("The fix is out everywhere.", "other"));
    await herald.settle();
    expect((await reviews()).slice(rulesDraft)).toEqual([">The fix is rolling out.", ">The fix is out everywhere."]);
  });

  it("keeps a rule's draft made again with the same text (reopened and resolved again within the minute): no second review post; a later time replaces it", async () => {
    const herald = await harness.start();
    const [triggered, , , resolved] = lifecycle(deliveries);
    const reopened = JSON.parse(deliveries["zulip_reopened_v3.json"]!);
    reopened.event.data.id = "PFQZPSY";
    reopened.event.occurred_at = "2021-06-04T14:20:40.000Z";
    const resolvedAt = (id: string, at: string) => {
      const again = JSON.parse(resolved!.body);
      again.event.id = id;
      again.event.occurred_at = at;
      return JSON.stringify(again);
    };
    const send = async (body: string) => {
      await herald.request("/webhooks/pagerduty", await signedDelivery(body));
      await herald.settle();
    };
    const reviews = async () =>
      (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith(":memo: *Status page")).map((c) => String(c.body.text).split("\n")[1]);
    for (const body of [triggered!.body, resolved!.body, JSON.stringify(reopened), resolvedAt("01RESOLVEDAGAIN00000000001", "2021-06-04T14:20:55.000Z")]) await send(body);
    const resolutions = (await reviews()).filter((text) => text?.startsWith(">The problem affecting"));
    expect(resolutions).toHaveLength(1);
    // Only the first update's draft was replaced, by the resolution.
    const replaced = async () =>
      (await herald.slackCalls()).filter((c) => c.method === "chat.update" && String(c.body.text).includes("this draft was replaced")).map((c) => String(c.body.text).split("\n")[1]!.slice(0, 21));
    expect(await replaced()).toEqual([">We are investigating"]);
    // Resolved again a minute later: a new text, so a new draft that replaces the pending one.
    await send(JSON.stringify({ ...reopened, event: { ...reopened.event, id: "01REOPENEDAGAIN00000000001", occurred_at: "2021-06-04T14:30:00.000Z" } }));
    await send(resolvedAt("01RESOLVEDTHRICE0000000001", "2021-06-04T14:31:10.000Z"));
    expect((await reviews()).filter((text) => text?.startsWith(">The problem affecting"))).toHaveLength(2);
    expect(await replaced()).toEqual([">We are investigating", ">The problem affectin"]);
    expect((await herald.store.getIncident("PFQZPSY"))!.statusPage!.draft!.message).toMatch(/15:31 BST/);
  });

  it("publishes each update once when its answer was lost and the page holds more posts and updates than one page of PagerDuty's list", async () => {
    const { herald, command } = await pagedIncident();
    const title = (await herald.store.getIncident("PFQZPSY"))!.title;
    // 150 earlier posts on the page, one with this incident's title, listed before Herald's.
    await fake("__status_posts", { count: 149 });
    await fake("__status_posts", { count: 1, title });
    await command("lead me");

    await fake("__fault", { call: "POST /status_pages/:id/posts", lose: true });
    await command("status publish");
    await retriesRun(herald);
    const postId = (await herald.store.getIncident("PFQZPSY"))!.statusPage!.postId!;
    // 120 updates made by hand on Herald's post, then Herald's next update with its answer lost.
    await fake("__status_post_updates", { post: postId, count: 120 });
    await command("status draft The fix is rolling out.");
    await fake("__fault", { call: "POST /status_pages/:id/posts/:post/post_updates", lose: true });
    await command("status publish");
    await retriesRun(herald);

    const calls = (await herald.pagerdutyCalls()).filter((c) => c.path.includes("/status_pages/PSTATUS1/posts"));
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path.replace(postId, "HERALD"))).toEqual([
      "/pagerduty/status_pages/PSTATUS1/posts",
      "/pagerduty/status_pages/PSTATUS1/posts/HERALD/post_updates",
    ]);
    // The retry read the second page of posts to find Herald's, and the second page of its updates.
    expect(calls.map((c) => c.path)).toContain("/pagerduty/status_pages/PSTATUS1/posts?post_type=incident&limit=100&offset=100");
    expect(calls.map((c) => c.path)).toContain(`/pagerduty/status_pages/PSTATUS1/posts/${postId}/post_updates?limit=100&offset=100`);
    await expectBothPublished(herald);
  });

  it("looks for a lost post in at most 20 of PagerDuty's pages, however many posts share the incident's title, so a Worker stays within its 50 subrequests", async () => {
    const { herald, command } = await pagedIncident();
    // 30 earlier posts with this incident's title (a title used again and again), none with Herald's update.
    await fake("__status_posts", { count: 30, title: (await herald.store.getIncident("PFQZPSY"))!.title });
    await command("lead me");

    await fake("__fault", { call: "POST /status_pages/:id/posts", lose: true });
    await command("status publish");
    await retriesRun(herald);

    const calls = (await herald.pagerdutyCalls()).filter((c) => c.path.includes("/status_pages/PSTATUS1/posts"));
    // One page of posts and one of each same-titled post's updates, until 20 reads: then it is
    // taken as not made and posted again (Herald's lost post was past those reads).
    expect(calls.filter((c) => c.method === "GET")).toHaveLength(20);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(2);
    expect((await herald.store.getIncident("PFQZPSY"))!.statusPage!.published).toHaveLength(1);
  });

  it("publishes only the draft a Publish button is under: a click on a replaced draft's post publishes nothing and says so", async () => {
    const herald = await harness.start();
    const [triggered] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    const reviews = async () =>
      (await herald.slackCalls())
        .filter((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith(":memo: *Status page"))
        .map((c) => JSON.parse(String(c.body.blocks))[1].elements[0].value as string);
    await herald.request("/slack/commands", await slashCommand("lead me", { user: "U0GRACE01", userName: "grace" }));
    await herald.request("/slack/commands", await slashCommand("status draft The fix is rolling out."));
    await herald.settle();
    const [first, second] = await reviews();
    expect(first).toMatch(/^draft:/);
    expect(second).not.toBe(first);
    // The first draft's post now says it was replaced, and has no button any more.
    const shown = (await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; text: string; blocks?: any[] }[];
    const drafts = shown.filter((m) => m.channel === "C00000001" && m.text.startsWith(":memo: *Status page"));
    expect(drafts.map((m) => [m.text.split("\n")[0], m.blocks?.[1]?.elements?.[0]?.value ?? null])).toEqual([
      [":memo: *Status page: this draft was replaced by a newer one*, posted below, and was not published:", null],
      [":memo: *Status page: an update is pending*, ready for review:", second],
    ]);

    // Grace reviewed the first draft and presses its button: the newer text is not published under her name.
    await herald.request("/slack/interactions", await publishClick(first));
    await herald.settle();
    expect((await herald.pagerdutyCalls()).filter((c) => c.path.includes("/status_pages/"))).toEqual([]);
    // Said to Grace alone, through the click's response_url: the room need not hear of it.
    const lastReply = async () => {
      const reply = (await herald.slackCalls()).filter((c) => c.method === "response_url").at(-1)!.body;
      return [reply.response_type, reply.text];
    };
    const posted = async () => (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage").map((c) => String(c.body.text));
    expect(await lastReply()).toEqual([
      "ephemeral",
      ":globe_with_meridians: <@U0GRACE01>, that Publish button is under an earlier draft, since replaced: nothing was published. Review the newer draft posted after it, then publish with its button or `/incident status publish`.",
    ]);
    expect((await posted()).filter((text) => text.startsWith(":globe_with_meridians:"))).toEqual([]);
    expect((await herald.store.getIncident("PFQZPSY"))!.statusPage!.draft!.message).toBe("The fix is rolling out.");

    // The newer draft's button publishes it.
    await herald.request("/slack/interactions", await publishClick(second));
    await herald.settle();
    const opened = (await herald.pagerdutyCalls()).filter((c) => c.path.endsWith("/posts"));
    expect(opened.map((c) => (c.body as any).post.updates[0].message)).toEqual(["The fix is rolling out."]);
    expect((await herald.store.getIncident("PFQZPSY"))!.statusPage!.published.map((p) => [p.message, p.by.name])).toEqual([["The fix is rolling out.", "grace"]]);
    // Its post now says who published it, and has no button either.
    const after = (await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; text: string; blocks?: any[] }[];
    expect(after.filter((m) => m.channel === "C00000001" && m.text.startsWith(":memo: *Status page")).map((m) => [m.text, m.blocks ?? []])).toEqual([
      [expect.stringMatching(/^:memo: \*Status page: this draft was replaced/), []],
      [":memo: *Status page: this update was published* by <@U0GRACE01>:\n>The fix is rolling out.", []],
    ]);
    // A second press of that button (a page not reloaded since) says so, and publishes nothing more.
    await herald.request("/slack/interactions", await publishClick(second));
    await herald.settle();
    expect((await herald.pagerdutyCalls()).filter((c) => c.path.includes("/status_pages/"))).toHaveLength(opened.length);
    expect(await lastReply()).toEqual([
      "ephemeral",
      ":globe_with_meridians: <@U0GRACE01>, the draft under that Publish button was published already, by <@U0GRACE01>: nothing more was published.",
    ]);
    // The room heard of the publish only.
    expect((await posted()).filter((text) => text.startsWith(":globe_with_meridians:"))).toEqual([expect.stringMatching(/^:globe_with_meridians: <@U0GRACE01> published the update/)]);
  });

  it("drafts the pending update for review, publishes it to the PagerDuty status page, then updates and resolves the post", async () => {
    const herald = await harness.start();
    const [triggered, , , resolved] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    // The process: a raised incident makes an update pending, posted for review.
    const review = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage").at(-1)!;
    expect(review.body.channel).toBe("C00000001");
    expect(String(review.body.text).split("\n")).toEqual([
      ":memo: *Status page: an update is pending*, ready for review:",
      ">We are investigating a problem affecting pig208: The whole platform is down or unavailable, all user applications are unavailable. It started at 4 Jun 2021 14:35 BST. We will post an update here within 30 minutes.",
      "Publish it with the button or `/incident status publish`; change it with `/incident status draft <text>`.",
    ]);
    expect(JSON.parse(String(review.body.blocks))[1].elements.map((e: any) => e.action_id)).toEqual(["status_publish"]);

    // Publishing is the Incident Lead's or the Communications Lead's (publish_by): a click by anyone
    // else is refused, to that person only, and publishes nothing.
    expect((await herald.request("/slack/interactions", await publishClick())).status).toBe(200);
    await herald.settle();
    expect((await herald.pagerdutyCalls()).filter((c) => c.path.includes("/status_pages/"))).toEqual([]);
    expect((await herald.slackCalls()).filter((c) => c.method === "response_url").map((c) => [c.body.response_type, c.body.text])).toEqual([
      ["ephemeral", "Only the Incident Lead or the Communications Lead can publish to the external status page, and nobody holds those roles yet: `/incident lead me` first."],
    ]);
    await herald.request("/slack/commands", await slashCommand("lead me", { user: "U0GRACE01", userName: "grace" }));
    await herald.settle();
    // The lead makes ada the Communications Lead, who publishes too.
    await herald.request("/slack/commands", await slashCommand("role comms <@U0ADA0001|ada>", { user: "U0GRACE01", userName: "grace" }));
    await herald.settle();

    // The Publish button: the first update opens an incident post on the page.
    expect((await herald.request("/slack/interactions", await publishClick())).status).toBe(200);
    await herald.settle();
    const opened = (await herald.pagerdutyCalls()).find((c) => c.path.endsWith("/posts"))!;
    expect(opened).toMatchObject({ method: "POST", path: "/pagerduty/status_pages/PSTATUS1/posts" });
    expect(opened.body).toEqual({
      post: {
        type: "status_page_post",
        title: "Test Incident 3",
        post_type: "incident",
        status_page: { id: "PSTATUS1", type: "status_page" },
        updates: [
          {
            type: "status_page_post_update",
            message: expect.stringMatching(/^We are investigating a problem affecting pig208/),
            status: { id: "PSTINV1", type: "status_page_status" },
            severity: { id: "PSVMAJ1", type: "status_page_severity" },
            impacted_services: [],
            notify_subscribers: true,
          },
        ],
      },
    });
    const lastPost = async () => (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage").at(-1)!.body.text;
    expect(await lastPost()).toMatch(/^:globe_with_meridians: <@U0GRACE01> published the update to <https:\/\/status\.example\.com\/\|the status page> \(post PPOST\d+\):\n>We are investigating/);

    // A written update, then the resolution: updates of the same post, the last one resolved.
    await herald.request("/slack/commands", await slashCommand("status draft The fix is rolling out; checkout works again for most users."));
    await herald.request("/slack/commands", await slashCommand("status publish"));
    await herald.settle();
    // Resolving makes the resolution pending.
    await herald.request("/webhooks/pagerduty", await signedDelivery(resolved!.body));
    await herald.settle();
    expect(await lastPost()).toMatch(/^:memo: \*Status page: the resolution is pending\*/);
    await herald.request("/slack/commands", await slashCommand("status publish"));
    await herald.settle();
    // Nothing is pending any more: said to whoever asked alone (through the command's response_url), not to the room.
    const before = await lastPost();
    await herald.request("/slack/commands", await slashCommand("status publish", { responseUrl: `${harness.vendorsUrl}/slack/response/again` }));
    await herald.settle();
    expect(await lastPost()).toBe(before);
    expect((await herald.slackCalls()).filter((c) => c.method === "response_url").at(-1)!.body).toMatchObject({
      url: "/slack/response/again",
      response_type: "ephemeral",
      text: ":globe_with_meridians: There is no pending status-page update to publish: `/incident status draft` prepares one.",
    });
    const updates = (await herald.pagerdutyCalls()).filter((c) => c.path.endsWith("/post_updates"));
    expect(updates.map((c) => [c.path.replace(/PPOST\d+/, "PPOST"), (c.body as any).post_update.message, (c.body as any).post_update.status.id])).toEqual([
      ["/pagerduty/status_pages/PSTATUS1/posts/PPOST/post_updates", "The fix is rolling out; checkout works again for most users.", "PSTINV1"],
      ["/pagerduty/status_pages/PSTATUS1/posts/PPOST/post_updates", expect.stringMatching(/^The problem affecting pig208 has been resolved as of 4 Jun 2021 15:20 BST\./), "PSTRES1"],
    ]);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.statusPage!.draft).toBeNull();
    expect(incident.statusPage!.published.map((p) => [p.kind, p.by.name])).toEqual([
      ["incident", "grace"],
      ["incident", "ada"],
      ["resolution", "ada"],
    ]);
  });
});
