import { harness } from "#harness";
import { perChannel } from "../support/per-channel.js";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { API_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";

describe(`the local chat adapter (${harness.runtime})`, () => {
  it("keeps the incident's messages, shows them in the API and prints them, calling no chat platform", async () => {
    const herald = await harness.start({ chat: "local" });
    for (const step of lifecycle(deliveries)) {
      await herald.request("/webhooks/pagerduty", await signedDelivery(step.body));
      await herald.settle();
    }
    expect(await herald.slackCalls()).toEqual([]);

    const response = await herald.request("/api/incidents/PFQZPSY", { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const detail = (await response.json()) as Record<string, any>;
    const channel = detail.incident.channel;
    expect(channel.name).toBe("inc-9-test-incident-3");
    expect(perChannel(detail.messages.map((m: any) => [m.channelName, m.text.split("\n")[0]]))).toEqual(perChannel([
      ["inc-9-test-incident-3", ":rotating_light: *P1 incident 9: Test Incident 3*"],
      [TEAM_CHANNELS.team, ":raising_hand: *Volunteers wanted: P1 incident 9: Test Incident 3*"],
      // The announcement, kept up to date in place: it reads resolved now.
      [TEAM_CHANNELS.update, ":white_check_mark: *Resolved: Test Incident 3*"],
      // PagerDuty's assignee has no console account under their email: the room is told.
      ["inc-9-test-incident-3", ":warning: *Herald could not add everyone to this room.* PIG 208: nobody in chat has the email address PagerDuty has for them. Add them by hand if they should be here."],
      // The incident's draft, replaced by the resolution's before anyone published it.
      ["inc-9-test-incident-3", ":memo: *Status page: this draft was replaced by a newer one*, posted below, and was not published:"],
      ["inc-9-test-incident-3", ":memo: *Note from PagerDuty* by Harsh Santwani: Running KILL on long-running queries from the reporting-service."],
      ["inc-9-test-incident-3", ":white_check_mark: *Resolved: Test Incident 3*"],
      [TEAM_CHANNELS.update, ":white_check_mark: *Resolved: Test Incident 3*"],
      ["inc-9-test-incident-3", ":memo: *Status page: the resolution is pending*, ready for review:"],
    ]));
    expect(detail.messages.find((m: any) => m.channelName === channel.name).channelId).toBe(channel.id);
    expect(detail.effects.filter((e: any) => e.status !== "done").map((e: any) => [e.payload.kind, e.status, e.lastError])).toEqual([
      ["invite_assignees", "skipped", "no assignee was found in chat by email"],
    ]);
    const printed = herald.printed();
    // The room's topic follows the incident: priority, status, lead and scribe.
    expect(printed.filter((line) => line.startsWith("[local chat] topic of"))).toEqual([
      "[local chat] topic of console:inc-9-test-incident-3: P1 · triggered · Lead: needed · Scribe: needed",
      "[local chat] topic of console:inc-9-test-incident-3: P1 · acknowledged · Lead: needed · Scribe: needed",
      "[local chat] topic of console:inc-9-test-incident-3: P1 · resolved · Lead: needed · Scribe: needed",
    ]);
    // Printed as each was posted: in order in each channel (the announcement goes beside the room's posts).
    const inRoom = detail.messages.filter((m: any) => m.channelName === channel.name).map((m: any) => m.text);
    const [announcement, resolvedInThread] = detail.messages.filter((m: any) => m.channelName === TEAM_CHANNELS.update).map((m: any) => m.text);
    const [volunteers] = detail.messages.filter((m: any) => m.channelName === TEAM_CHANNELS.team).map((m: any) => m.text);
    // The incident's draft as it was posted, before the resolution's replaced it.
    const pendingAsPosted = printed.find((line) => line.startsWith("[local chat] #inc-9-test-incident-3: :memo: *Status page: an update is pending*"));
    expect(pendingAsPosted).toContain("Publish it with the button");
    const channelOf = (line: string) => /^\[local chat\] (?:created )?#([^\s:]+)/.exec(line)?.[1];
    expect(perChannel(printed.filter((line) => !line.startsWith("[local chat] topic of")), channelOf)).toEqual(perChannel([
      "[local chat] created #inc-9-test-incident-3",
      `[local chat] #inc-9-test-incident-3: ${inRoom[0]}`,
      `[local chat] #${TEAM_CHANNELS.team}: ${volunteers}`,
      expect.stringMatching(new RegExp(`^\\[local chat\\] #${TEAM_CHANNELS.update}: :warning: \\*We are investigating`)),
      `[local chat] #inc-9-test-incident-3: ${inRoom[1]}`,
      pendingAsPosted,
      expect.stringMatching(new RegExp(`^\\[local chat\\] #${TEAM_CHANNELS.update} \\(updated\\): :warning: [^]*the team is working on it`)),
      `[local chat] #inc-9-test-incident-3: ${inRoom[3]}`,
      `[local chat] #inc-9-test-incident-3: ${inRoom[4]}`,
      `[local chat] #${TEAM_CHANNELS.update}: ${resolvedInThread}`,
      `[local chat] #${TEAM_CHANNELS.update} (updated): ${announcement}`,
      // The incident's draft, edited to say the resolution's replaced it (as it reads now).
      `[local chat] #inc-9-test-incident-3 (updated): ${inRoom[2]}`,
      `[local chat] #inc-9-test-incident-3: ${inRoom[5]}`,
    ], (line) => (typeof line === "string" ? channelOf(line) : TEAM_CHANNELS.update)));
  });
});
