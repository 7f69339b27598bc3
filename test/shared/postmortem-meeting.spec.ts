import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";

describe(`the post-mortem meeting (${harness.runtime})`, () => {
  it("/incident postmortem schedule records the meeting and posts it with a calendar invite", async () => {
    const herald = await harness.start();
    const [triggered] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    await herald.request("/slack/commands", await slashCommand("lead me"));
    await herald.settle();

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
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    expect(incident.postmortemMeeting).toEqual({ at: "2099-12-01T14:00:00.000Z", by: { id: "U0ADA0001", name: "ada" }, leadReminded: false });
    const timeline = await herald.store.timeline(incident.id);
    expect(timeline.at(-1)!.text).toBe("Post-mortem meeting scheduled for 1 Dec 2099 14:00 GMT");
  });
});
