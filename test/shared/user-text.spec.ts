import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { slashCommand } from "../support/slack-requests.js";
import { API_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";

const auth = { headers: { authorization: `Bearer ${API_TOKEN}` } };
const RLO = "\u202E";

// Issue 9, "nothing posted that the user did not mean": what people type reaches others only as what it is.
describe(`user text in chat (${harness.runtime})`, () => {
  it("takes only plain http(s) ticket links, so the text cannot choose a link's label", async () => {
    const herald = await harness.start();
    const say = async (text: string, channel = "C00000001") => {
      const response = await herald.request("/slack/commands", await slashCommand(text, { user: "U0ADA0001", userName: "ada", channel }));
      await herald.settle();
      return ((await response.json()) as { text: string }).text;
    };
    await say("declare P2 networking VPC peering is down", TEAM_CHANNELS.team);
    expect(await say("ticket aws CASE-1 https://evil.example|Official")).toMatch(/^'https:\/\/evil\.example\|Official' is not a link\. Give a plain http\(s\) link, without \| < or >\./);
    expect(await say("ticket aws 1 <https://evil.example|x>")).toMatch(/^'&lt;https:\/\/evil\.example\|x&gt;' is not a link/);
    expect(await say("ticket aws CASE-1 https://support.example/case/1")).toBe("Support case CASE-1 recorded; Herald will post how to escalate it.");
    const posts = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage").map((c) => String(c.body.text));
    expect(posts.filter((t) => t.includes("evil.example"))).toEqual([]);
    expect(posts).toContainEqual(expect.stringContaining("(<https://support.example/case/1|open the case>)"));
  });

  it("drops bidirectional override characters from titles and names, in the record, the chat and the post-mortem", async () => {
    const herald = await harness.start();
    const response = await herald.request("/slack/commands", await slashCommand(`declare P2 networking Disk ${RLO}lluf si${RLO} on db-1`, { user: "U0ADA0001", userName: `ada${RLO}`, channel: TEAM_CHANNELS.team }));
    expect(response.status).toBe(200);
    await herald.settle();
    const detail = (await (await herald.request("/api/incidents/PDECL001", auth)).json()) as { incident: any; timeline: any[] };
    expect(detail.incident.title).toBe("Disk lluf si on db-1");
    expect(detail.incident.declaredBy.name).toBe("ada");
    expect(JSON.stringify(detail.timeline)).not.toContain(RLO);
    const posted = (await herald.slackCalls()).map((c) => JSON.stringify(c.body));
    expect(posted.some((p) => p.includes("Disk lluf si on db-1"))).toBe(true);
    expect(posted.every((p) => !p.includes(RLO) && !p.includes("\\u202e"))).toBe(true);
    const markdown = await (await herald.request("/api/incidents/PDECL001/postmortem.md", auth)).text();
    expect(markdown).not.toContain(RLO);
  });
});
