import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { retriesRun } from "../support/harness.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";

/** Herald with a P1 paged and its lead taken by the person who sends the commands. */
async function ledIncident() {
  const herald = await harness.start();
  const [triggered] = lifecycle(deliveries);
  await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
  await herald.settle();
  await herald.request("/slack/commands", await slashCommand("lead me"));
  await herald.settle();
  return herald;
}

/** The messages that landed in the fake Slack with files shared in them. */
async function shares() {
  const messages = (await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; text: string; files?: { id: string; name: string; title: string }[] }[];
  return messages.filter((m) => m.files?.length);
}

describe(`the post-mortem meeting (${harness.runtime})`, () => {
  it("/incident postmortem schedule records the meeting and posts it with a calendar invite", async () => {
    const herald = await ledIncident();

    const wrong = await herald.request("/slack/commands", await slashCommand("postmortem schedule someday soon"));
    expect(((await wrong.json()) as { text: string }).text).toBe(
      "'someday soon' is not a time Herald understands. Say when, in the team's time zone: `2026-12-01 14:00`, `tomorrow 14:00` or `monday 10:00`.",
    );
    const past = await herald.request("/slack/commands", await slashCommand("postmortem schedule 2020-01-01 10:00"));
    expect(((await past.json()) as { text: string }).text).toMatch(/^That is in the past\./);

    const before = (await herald.slackCalls()).length;
    const ok = await herald.request("/slack/commands", await slashCommand("postmortem schedule 2099-12-01 14:00"));
    expect(((await ok.json()) as { text: string }).text).toBe(
      "Post-mortem meeting on 1 Dec 2099 14:00 GMT; Herald will post the invite in the channel.",
    );
    await herald.settle();
    const calls = (await herald.slackCalls()).slice(before);
    expect(calls.map((c) => c.method)).toEqual(["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]);
    const complete = calls[2]!;
    expect(complete.body.channel_id).toBe("C00000001");
    expect(complete.body.initial_comment).toBe(
      ":calendar: *Post-mortem meeting:* 1 Dec 2099 14:00 GMT (an hour), blameless: what happened and what we learn, not who is to blame. <@U0ADA0001> leads it. Add the invite below to your calendar; `/incident postmortem` drafts the document for it.",
    );
    const [file] = JSON.parse(String(complete.body.files)) as { id: string; title: string }[];
    expect(file!.title).toBe("Post-mortem: Test Incident 3");
    // Shared: the fake took the bytes (their length as announced) and lists the share with its file.
    expect((await shares()).map((m) => [m.channel, m.files])).toEqual([["C00000001", [{ id: file!.id, name: "postmortem.ics", title: "Post-mortem: Test Incident 3" }]]]);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.postmortemMeeting).toEqual({ at: "2099-12-01T14:00:00.000Z", by: { id: "U0ADA0001", name: "ada" }, leadReminded: false });
    const timeline = await herald.store.timeline(incident.id);
    expect(timeline.at(-1)!.text).toBe("Post-mortem meeting scheduled for 1 Dec 2099 14:00 GMT");

    // The same time said again (its answer lost, say): told so, and the invite is not shared twice.
    const again = await herald.request("/slack/commands", await slashCommand("postmortem schedule 2099-12-01 14:00"));
    expect(((await again.json()) as { text: string }).text).toBe("The post-mortem meeting is on 1 Dec 2099 14:00 GMT already; its invite is in the channel.");
    await herald.settle();
    expect(await shares()).toHaveLength(1);
    expect((await herald.store.timeline(incident.id)).length).toBe(timeline.length);
  });

  it("shares the invite once when Slack's answer to the share was lost, and a meeting moved minutes later is shared again", async () => {
    const herald = await ledIncident();

    // The share lands, its answer does not: the retry finds it in the channel's history.
    await fetch(`${harness.vendorsUrl}/slack/__fault/files.completeUploadExternal`, { method: "POST", body: JSON.stringify({ lose: true }) });
    await herald.request("/slack/commands", await slashCommand("postmortem schedule 2099-12-01 14:00"));
    await herald.settle();
    const before = (await herald.slackCalls()).length;
    await retriesRun(herald);
    expect((await herald.slackCalls()).slice(before).map((c) => c.method)).toEqual(["conversations.history"]);
    expect((await shares()).map((m) => [m.channel, m.files!.map((f) => f.name)])).toEqual([["C00000001", ["postmortem.ics"]]]);

    // Moved at once, its share refused by a busy Slack: the retry does not take the share before (the
    // same file and title, another time) for it.
    await fetch(`${harness.vendorsUrl}/slack/__fault/files.completeUploadExternal`, { method: "POST", body: JSON.stringify({ status: 503 }) });
    await herald.request("/slack/commands", await slashCommand("postmortem schedule 2099-12-02 09:00"));
    await herald.settle();
    await retriesRun(herald);
    const texts = (await shares()).map((m) => m.text.match(/\d+ Dec 2099 \d\d:\d\d/)![0]);
    expect(texts).toEqual(["1 Dec 2099 14:00", "2 Dec 2099 09:00"]);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.postmortemMeeting?.at).toBe("2099-12-02T09:00:00.000Z");
  });
});
