import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";
import { API_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";

const auth = { headers: { authorization: `Bearer ${API_TOKEN}` } };

// Issue: PagerDuty's webhook for an incident declared in chat usually has no priority and names
// PagerDuty's own service; it must not erase what chat said.
describe(`PagerDuty's echo of an incident declared in chat (${harness.runtime})`, () => {
  it("keeps the declared priority and service, so the resolution still reaches the update channel", async () => {
    const herald = await harness.start();
    const say = async (text: string, channel = "C00000001") => {
      expect((await herald.request("/slack/commands", await slashCommand(text, { user: "U0ADA0001", userName: "ada", channel }))).status).toBe(200);
      await herald.settle();
    };
    await say("declare P2 networking VPC peering is down", TEAM_CHANNELS.team);
    const acknowledged = JSON.parse(deliveries["zulip_acknowledged_v3.json"]!);
    Object.assign(acknowledged.event, { id: "E-ECHO-ACK", occurred_at: new Date().toISOString() });
    Object.assign(acknowledged.event.data, { id: "PDECL001", priority: null });
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(acknowledged)))).status).toBe(202);
    await herald.settle();

    const detail = (await (await herald.request("/api/incidents/PDECL001", auth)).json()) as { incident: any };
    expect(detail.incident).toMatchObject({ status: "acknowledged", priority: "P2", service: { id: "networking", name: "Networking - Modernisation Platform" } });

    await say("lead me");
    await say("resolve rolled back the route table");
    const resolutions = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith(":white_check_mark: *Resolved"));
    // The room's and the update channel's posts go side by side (lanes of their own).
    expect(resolutions.map((c) => c.body.channel).sort()).toEqual(["C00000001", TEAM_CHANNELS.update].sort());
  });
});
