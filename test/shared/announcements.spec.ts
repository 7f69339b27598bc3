import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";

describe(`users' announcements (${harness.runtime})`, () => {
  it("/incident announce ask posts the announcement now, and every announcement follows the incident in place", async () => {
    const herald = await harness.start();
    const [triggered, acknowledged] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    // Who may tell users is configurable (announce_by); by default the Incident Lead and the Communications Lead.
    const early = await herald.request("/slack/commands", await slashCommand("announce ask"));
    expect(((await early.json()) as { text: string }).text).toBe(
      "Only the Incident Lead or the Communications Lead can post the users' announcement, and nobody holds those roles yet: `/incident lead me` first.",
    );
    await herald.request("/slack/commands", await slashCommand("lead me", { user: "U0GRACE01", userName: "grace" }));
    await herald.settle();
    const refused = await herald.request("/slack/commands", await slashCommand("announce ask"));
    expect(((await refused.json()) as { text: string }).text).toBe("Only the Incident Lead (<@U0GRACE01>) or the Communications Lead can post the users' announcement.");
    await herald.request("/slack/commands", await slashCommand("role comms me", { user: "U0GRACE01", userName: "grace" }));
    await herald.request("/slack/commands", await slashCommand("role comms <@U0ADA0001>", { user: "U0GRACE01", userName: "grace" }));
    await herald.settle();
    const response = await herald.request("/slack/commands", await slashCommand("announce ask"));
    expect(((await response.json()) as { text: string }).text).toBe(
      "Herald is posting the users' announcement in the ask channel; it will be kept up to date as the incident changes.",
    );
    await herald.settle();
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.announcements!.map((a) => [a.to, a.channel])).toEqual([
      ["update", "C0UPDATE01"],
      ["ask", "C0ASK00001"],
    ]);
    const before = (await herald.slackCalls()).length;
    await herald.request("/webhooks/pagerduty", await signedDelivery(acknowledged!.body));
    await herald.settle();
    const updates = (await herald.slackCalls()).slice(before).filter((c) => c.method === "chat.update");
    expect(updates.map((c) => [c.body.channel, c.body.ts])).toEqual(incident.announcements!.map((a) => [a.channel, a.messageId]));
    expect(updates.every((c) => String(c.body.text).includes("*Status:* the team is working on it"))).toBe(true);
  });

  it("keeps the other announcements up to date when someone deleted one, and says once in the room that it is gone", async () => {
    const herald = await harness.start();
    const [triggered, acknowledged, , resolved] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    await herald.request("/slack/commands", await slashCommand("lead me"));
    await herald.settle();
    await herald.request("/slack/commands", await slashCommand("announce ask"));
    await herald.settle();
    const [update, ask] = (await herald.store.getIncident("PFQZPSY"))!.announcements!;
    expect((await fetch(`${harness.vendorsUrl}/slack/__delete/${update!.channel}/${update!.messageId}`, { method: "POST" })).status).toBe(200);

    await herald.request("/webhooks/pagerduty", await signedDelivery(acknowledged!.body));
    await herald.settle();
    await herald.request("/webhooks/pagerduty", await signedDelivery(resolved!.body));
    await herald.settle();
    const messages = (await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; text: string }[];
    expect(messages.filter((m) => m.channel === ask!.channel).map((m) => m.text)).toEqual([expect.stringContaining("Resolved")]);
    // Tried once, then let go: the resolution does not try the deleted one again, nor say so again.
    const edits = (await herald.slackCalls()).filter((c) => c.method === "chat.update").map((c) => c.body.channel);
    expect(edits.filter((channel) => channel === update!.channel)).toHaveLength(1);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.announcements!.map((a) => a.to)).toEqual(["ask"]);
    const effect = (await herald.store.effectsFor(incident.id)).find((e) => e.payload.kind === "update_announcements")!;
    expect([effect.status, effect.attempts]).toEqual(["done", 1]);
    const notices = messages.filter((m) => m.channel === "C00000001" && m.text.includes("could not keep the users' announcement up to date"));
    expect(notices.map((m) => m.text)).toEqual([
      ":warning: *Herald could not keep the users' announcement up to date.* chat.update: message_not_found (in the update channel). If it was deleted, post it again with the `announce` command.",
    ]);
  });

  it("brings an announcement out already up to date in place when announce is said again, and posts it again once it was deleted", async () => {
    const herald = await harness.start();
    const [triggered, acknowledged] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    await herald.request("/slack/commands", await slashCommand("lead me"));
    await herald.settle();
    const inUpdate = async () => ((await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; ts: string; text: string }[]).filter((m) => m.channel === "C0UPDATE01");
    const [first] = (await herald.store.getIncident("PFQZPSY"))!.announcements!;
    expect(first!.to).toBe("update");
    await herald.request("/webhooks/pagerduty", await signedDelivery(acknowledged!.body));
    // Said while the rule's announcement is out (as after an answer that was lost).
    const again = await herald.request("/slack/commands", await slashCommand("announce update"));
    expect(((await again.json()) as { text: string }).text).toBe(
      "The users' announcement is in the update channel already: Herald is bringing it up to date there rather than posting it twice (if it was deleted, it posts it again).",
    );
    await herald.settle();
    expect((await inUpdate()).map((m) => m.ts)).toEqual([first!.messageId]);
    expect((await inUpdate())[0]!.text).toContain("*Status:* the team is working on it");
    expect((await herald.store.getIncident("PFQZPSY"))!.announcements).toEqual([first]);
    // Deleted by someone: said again, it is posted again, and is the one kept up to date from then on.
    expect((await fetch(`${harness.vendorsUrl}/slack/__delete/${first!.channel}/${first!.messageId}`, { method: "POST" })).status).toBe(200);
    await herald.request("/slack/commands", await slashCommand("announce update"));
    await herald.settle();
    const [reposted] = await inUpdate();
    expect(reposted!.ts).not.toBe(first!.messageId);
    expect((await herald.store.getIncident("PFQZPSY"))!.announcements!.map((a) => [a.to, a.messageId])).toEqual([["update", reposted!.ts]]);
  });
});
