import { harness } from "#harness";
import { perChannel } from "../support/per-channel.js";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";
import { followUpAfterDraft } from "../support/lanes.js";

const auth = { headers: { authorization: "Bearer herald-test-api-token" } };

// The whole incident driven only through signed Slack requests (and PagerDuty's webhook back),
// against the fake Slack, PagerDuty and GitHub: every call they received, and the stored log.
describe(`an incident run from Slack (${harness.runtime})`, () => {
  it("triage → declare → volunteers → one person in both roles → transfer → notes → PagerDuty note → ticket → temporary resolve", async () => {
    const herald = await harness.start();
    const say = async (text: string, user = { user: "U0ADA0001", userName: "ada" }, channel = "C00000001") => {
      const response = await herald.request("/slack/commands", await slashCommand(text, { ...user, channel }));
      expect(response.status, text).toBe(200);
      await herald.settle();
      return ((await response.json()) as { text: string }).text;
    };
    const grace = { user: "U0GRACE01", userName: "grace" };

    expect(await say("triage", undefined, "C0TEAM0001")).toMatch(/^\*Is this an incident\?\*/);
    expect(await say("declare P2 networking VPC peering is down", undefined, "C0TEAM0001")).toMatch(/^Declaring \*VPC peering is down\*/);
    await say("lead me");
    await say("scribe me");
    // Taking a role someone holds is a transfer: refused with how, then confirmed.
    expect(await say("scribe me", grace)).toBe(
      "<@U0ADA0001> is the Scribe. They can hand it on (`/incident scribe @you`), or take it over yourself with `/incident scribe me --take-over` (the channel is told).",
    );
    await say("scribe me --take-over", grace);
    for (const category of ["event", "discussion", "decision", "action", "result"]) await say(`note ${category}: ${category} noted`, grace);
    const note = JSON.parse(deliveries["zulip_annotated_v3.json"]!);
    Object.assign(note.event, { id: "E-PD-NOTE", occurred_at: new Date().toISOString() });
    Object.assign(note.event.data, { id: "PTHEIRS", content: "action: network team engaged" });
    note.event.data.incident.id = "PDECL001";
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(note)));
    await herald.settle();
    await say("ticket aws 1234567890");
    expect(await say("resolve --temporary restarted the NAT gateway")).toBe("Resolving with a temporary fix; Herald will post the resolution.");

    const slack = followUpAfterDraft((await herald.slackCalls()).map((c) => [c.method, c.body.channel ?? c.body.name, String(c.body.text ?? c.body.topic ?? c.body.users ?? "").split("\n")[0]]), (c) => String(c[2]));
    // In order in each channel (the users' announcement goes beside the room's work).
    expect(perChannel(slack, (c) => c[1])).toEqual(perChannel([
      ["conversations.create", "inc-1-vpc-peering-is-down", ""],
      ["conversations.invite", "C00000001", "U0ADA0001"],
      ["chat.postMessage", "C00000001", ":rotating_light: *P2 incident 1: VPC peering is down*"],
      ["pins.add", "C00000001", ""],
      ["chat.postMessage", "C0TEAM0001", ":raising_hand: *Volunteers wanted: P2 incident 1: VPC peering is down*"],
      ["chat.postMessage", "C0UPDATE01", ":warning: *We are investigating an incident: VPC peering is down*"],
      ["conversations.setTopic", "C00000001", "P2 · triggered · Lead: needed · Scribe: needed"],
      ["chat.postMessage", "C00000001", ":memo: *Status page: an update is pending*, ready for review:"],
      ["conversations.invite", "C00000001", "U0ADA0001"],
      ["chat.postMessage", "C00000001", ":bust_in_silhouette: <@U0ADA0001> is now the *Incident Lead*."],
      ["conversations.setTopic", "C00000001", "P2 · triggered · Lead: ada · Scribe: needed"],
      ["conversations.invite", "C00000001", "U0ADA0001"],
      ["chat.postMessage", "C00000001", ":bust_in_silhouette: <@U0ADA0001> is now the *Scribe*."],
      ["conversations.setTopic", "C00000001", "P2 · triggered · Lead: ada · Scribe: ada"],
      ["conversations.invite", "C00000001", "U0GRACE01"],
      ["chat.postMessage", "C00000001", ":bust_in_silhouette: <@U0GRACE01> is now the *Scribe*, taking over from <@U0ADA0001>."],
      ["conversations.setTopic", "C00000001", "P2 · triggered · Lead: ada · Scribe: grace"],
      ["chat.postMessage", "C00000001", ":memo: *Note from PagerDuty* by Harsh Santwani (action): network team engaged"],
      ["chat.postMessage", "C00000001", ":ticket: Support case *1234567890* logged with AWS."],
      ["chat.postMessage", "C00000001", ":white_check_mark: *Resolved: VPC peering is down*"],
      // In the announcement's thread; then the announcement itself reads resolved.
      ["chat.postMessage", "C0UPDATE01", ":white_check_mark: *Resolved: VPC peering is down*"],
      ["chat.update", "C0UPDATE01", ":white_check_mark: *Resolved: VPC peering is down*"],
      ["conversations.setTopic", "C00000001", "P2 · resolved · Lead: ada · Scribe: grace"],
      // The incident's draft, never published, is replaced by the resolution's: its post says so.
      ["chat.update", "C00000001", ":memo: *Status page: this draft was replaced by a newer one*, posted below, and was not published:"],
      ["chat.postMessage", "C00000001", ":memo: *Status page: the resolution is pending*, ready for review:"],
      ["chat.postMessage", "C00000001", ":link: *Follow-up for the permanent fix:* <https://github.com/platform/incidents/issues/1|#1 Permanent fix for: VPC peering is down>"],
    ], (c) => c[1]));
    // The same-person warning went with the second role.
    const secondRole = (await herald.slackCalls()).find((c) => String(c.body.text).startsWith(":bust_in_silhouette: <@U0ADA0001> is now the *Scribe*."));
    expect(secondRole!.body.text).toContain(":warning: <@U0ADA0001> is both Incident Lead and Scribe.");

    expect((await herald.pagerdutyCalls()).map((c) => [c.method, c.path, c.from, JSON.stringify(c.body)])).toEqual([
      ["POST", "/pagerduty/incidents", "herald@example.com", expect.stringContaining('"title":"VPC peering is down"')],
      ...["event", "discussion", "decision", "action", "result"].map((category) => [
        "POST",
        "/pagerduty/incidents/PDECL001/notes",
        "herald@example.com",
        JSON.stringify({ note: { content: `${category}: ${category} noted` } }),
      ]),
      ["PUT", "/pagerduty/incidents/PDECL001", "herald@example.com", JSON.stringify({ incident: { type: "incident_reference", status: "resolved", resolution: "restarted the NAT gateway" } })],
    ]);
    expect((await herald.githubCalls()).map((c) => (c.body as { title: string }).title)).toEqual(["Permanent fix for: VPC peering is down"]);

    const detail = (await (await herald.request("/api/incidents/PDECL001", auth)).json()) as { incident: any; timeline: any[] };
    expect(detail.incident).toMatchObject({
      status: "resolved",
      roles: { lead: { name: "ada" }, scribe: { name: "grace" } },
      resolution: { note: "restarted the NAT gateway", temporary: true },
      followUps: [{ url: "https://github.com/platform/incidents/issues/1" }],
    });
    // What Herald did for the incident is on its timeline too, from the effects that did it.
    // Chat, PagerDuty and GitHub work side by side, each in its own order.
    const did = detail.timeline.filter((e) => e.source === "herald").map((e) => e.text as string);
    const elsewhere = (t: string) => t.startsWith("Opened in PagerDuty") || t.startsWith("Follow-up raised");
    expect(did.filter((t) => !elsewhere(t))).toEqual([
      "Herald opened the incident's room #inc-1-vpc-peering-is-down (slack)",
      "Users' announcement posted in update",
      "Status-page update drafted for review",
      "Status-page resolution drafted for review",
    ]);
    expect(did.filter(elsewhere)).toEqual([
      "Opened in PagerDuty as #1 (PDECL001)",
      "Follow-up raised: Permanent fix for: VPC peering is down (https://github.com/platform/incidents/issues/1)",
    ]);
    expect(detail.timeline.filter((e) => e.source !== "herald").map((e) => [e.kind, e.category, e.source, e.text])).toEqual([
      ["incident.triggered", "event", "slack", "Declared by ada: VPC peering is down (P2, Networking - Modernisation Platform)"],
      ["role.assigned", "event", "slack", "ada is now Incident Lead"],
      ["role.assigned", "event", "slack", "ada is now Scribe"],
      ["role.assigned", "event", "slack", "grace is now Scribe (taking over from ada)"],
      ["note.added", "event", "slack", "event noted"],
      ["note.added", "discussion", "slack", "discussion noted"],
      ["note.added", "decision", "slack", "decision noted"],
      ["note.added", "action", "slack", "action noted"],
      ["note.added", "result", "slack", "result noted"],
      ["incident.annotated", "action", "pagerduty", "network team engaged"],
      ["ticket.recorded", "action", "slack", "Support case 1234567890 logged with AWS"],
      ["incident.resolved", "result", "slack", "Resolved with a temporary fix: restarted the NAT gateway"],
    ]);
  });
});
