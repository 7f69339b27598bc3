import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { retriesRun } from "../support/harness.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";

const auth = { headers: { authorization: "Bearer herald-test-api-token" } };

/** The whole lifecycle from PagerDuty, with a lead, notes of each kind and a support case from Slack. */
async function workedIncident() {
  const herald = await harness.start();
  const [triggered, acknowledged] = lifecycle(deliveries);
  await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
  await herald.request("/webhooks/pagerduty", await signedDelivery(acknowledged!.body));
  await herald.settle();
  for (const command of [
    "lead me",
    "note discussion: is it the NAT gateway?",
    "note decision: fail over to eu-west-2 | then roll back",
    "note action: grace restarts the NAT gateway",
    "note result: traffic flows again",
    "ticket aws 1234567890",
    "resolve restarted the NAT gateway",
  ]) {
    await herald.request("/slack/commands", await slashCommand(command));
    await herald.settle();
  }
  return herald;
}

const section = (markdown: string, heading: string) => markdown.split(`## ${heading}\n\n`)[1]!.split("\n\n## ")[0]!;

describe(`post-mortems and runbooks (${harness.runtime})`, () => {
  it("GET /api/incidents/:id/postmortem.md renders the document from the record", async () => {
    const herald = await workedIncident();
    const response = await herald.request("/api/incidents/PFQZPSY/postmortem.md", auth);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    const markdown = await response.text();
    expect(markdown.split("\n")[0]).toBe("# Post-mortem: incident 9, Test Incident 3");
    expect(markdown.match(/^## .+$/gm)).toEqual([
      "## Summary", "## Impact", "## Key times", "## Roles", "## Timeline", "## Decisions", "## Actions", "## Results",
      "## Third-party support", "## Resolution", "## Follow-ups", "## What went well", "## What went wrong",
      "## Where we got lucky", "## What we will do differently",
    ]);
    expect(section(markdown, "Roles")).toMatch(/^- \*\*Incident Lead\*\*: ada\n\nRole changes:\n- .+: ada is now Incident Lead$/);
    // User text is escaped for Markdown: a | in a note cannot break the table.
    expect(section(markdown, "Decisions")).toMatch(/^- \d+ \w+ \d{4} \d\d:\d\d \w+, ada: fail over to eu-west-2 \\\| then roll back$/);
    expect(section(markdown, "Actions")).toMatch(/: grace restarts the NAT gateway$/);
    expect(section(markdown, "Third-party support")).toMatch(/: Support case 1234567890 logged with AWS$/);
    expect(section(markdown, "Resolution")).toBe("restarted the NAT gateway");
    const rows = section(markdown, "Timeline").split("\n").slice(2);
    const timeline = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { timeline: unknown[] };
    expect(rows).toHaveLength(timeline.timeline.length);
    expect(rows[0]).toMatch(/^\| \d+ \w+ \d{4} \d\d:\d\d \w+ \| \+0:00 \| event \| .+ \| Triggered/);
    expect(markdown).toContain("(time to acknowledge)");
    expect(markdown).toContain("(time to resolve)");

    const runbook = await (await herald.request("/api/incidents/PFQZPSY/runbook.md", auth)).text();
    expect(runbook.match(/^## .+$/gm)).toEqual(["## Symptoms", "## Diagnosis", "## The fix that worked", "## Escalation", "## Follow-ups"]);
    expect(section(runbook, "The fix that worked")).toContain("restarted the NAT gateway");
    expect(section(runbook, "Escalation")).toContain("- aws: Create a support case in the affected AWS account; escalate: Update the case; if it stalls, post the case id in the escalation channel");

    expect((await herald.request("/api/incidents/NOPE/postmortem.md", auth)).status).toBe(404);
    expect((await herald.request("/api/incidents/PFQZPSY/postmortem.md")).status).toBe(401);
  });

  it("/incident postmortem proposes it as a pull request (branch, file, PR) and posts the link; asking again updates it and says so", async () => {
    const herald = await workedIncident();
    const before = (await herald.githubCalls()).length;
    const slackBefore = (await herald.slackCalls()).length;
    const ack = await herald.request("/slack/commands", await slashCommand("postmortem"));
    expect(((await ack.json()) as { text: string }).text).toBe(
      "Herald is drafting the post-mortem from the incident record and will post the pull request's link here.",
    );
    await herald.settle();
    const calls = (await herald.githubCalls()).slice(before);
    const path = "postmortems/2021-06-04-inc-9-test-incident-3.md";
    const branch = "herald/postmortem/2021-06-04-inc-9";
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /github/repos/platform/incidents",
      // (octokit sends the ref's slash encoded; GitHub takes it either way)
      "GET /github/repos/platform/incidents/git/ref/heads%2Fmain",
      "POST /github/repos/platform/incidents/git/refs",
      `GET /github/repos/platform/incidents/contents/${path.replace(/\//g, "%2F")}?ref=${encodeURIComponent(branch)}`,
      `PUT /github/repos/platform/incidents/contents/${path.replace(/\//g, "%2F")}`,
      `GET /github/repos/platform/incidents/pulls?head=${encodeURIComponent(`platform:${branch}`)}&state=open`,
      "POST /github/repos/platform/incidents/pulls",
    ]);
    expect(calls[2]!.body).toMatchObject({ ref: `refs/heads/${branch}` });
    expect(calls[4]!.body).toMatchObject({ message: "Post-mortem: Test Incident 3", branch });
    expect(calls[6]!.body).toMatchObject({ title: "Post-mortem: Test Incident 3", head: branch, base: "main" });
    const proposed = (await (await fetch(`${harness.vendorsUrl}/github/__file?branch=${encodeURIComponent(branch)}&path=${encodeURIComponent(path)}`)).json()) as { content: string };
    const served = await (await herald.request("/api/incidents/PFQZPSY/postmortem.md", auth)).text();
    const withoutStamp = (text: string) => text.replace(/on \d+ \w+ \d{4} \d\d:\d\d \w+;/, "on …;");
    expect(withoutStamp(proposed.content)).toBe(withoutStamp(served));
    const link = ":page_facing_up: The post-mortem draft is ready for review: <https://github.com/platform/incidents/pull/101|pull request #101> adds `postmortems/2021-06-04-inc-9-test-incident-3.md`.";
    expect((await herald.slackCalls()).slice(slackBefore).map((c) => [c.body.channel, c.body.text])).toEqual([["C00000001", link]]);

    // Again (after more notes): the same branch and pull request, the file updated in place.
    await herald.request("/slack/commands", await slashCommand("note result: error rates back to normal"));
    await herald.request("/slack/commands", await slashCommand("postmortem", { responseUrl: `${harness.vendorsUrl}/slack/response/again` }));
    await herald.settle();
    const again = (await herald.githubCalls()).slice(before + calls.length).map((c) => `${c.method} ${c.path.split("?")[0]}`);
    expect(again.filter((c) => c.startsWith("POST"))).toEqual(["POST /github/repos/platform/incidents/git/refs"]);
    expect(again).toContain(`PUT /github/repos/platform/incidents/contents/${path.replace(/\//g, "%2F")}`);
    const updated = (await (await fetch(`${harness.vendorsUrl}/github/__file?branch=${encodeURIComponent(branch)}&path=${encodeURIComponent(path)}`)).json()) as { content: string };
    expect(updated.content).toContain("error rates back to normal");
    // Said so to whoever asked (the room has the link): updated, not ready a second time.
    const updatedText =
      ":page_facing_up: The post-mortem draft is updated from the record as it is now: <https://github.com/platform/incidents/pull/101|pull request #101> changes `postmortems/2021-06-04-inc-9-test-incident-3.md`.";
    expect((await herald.slackCalls()).filter((c) => c.body.text === link)).toHaveLength(1);
    expect((await herald.slackCalls()).at(-1)!).toMatchObject({ method: "response_url", body: { url: "/slack/response/again", response_type: "ephemeral", text: updatedText } });
    expect((await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && c.body.text === updatedText)).toEqual([]);

    await herald.request("/slack/commands", await slashCommand("runbook"));
    await herald.settle();
    const runbookLink = (await herald.slackCalls()).at(-1)!.body.text;
    expect(runbookLink).toBe(
      ":page_facing_up: The runbook draft is ready for review: <https://github.com/platform/incidents/pull/102|pull request #102> adds `runbooks/2021-06-04-inc-9-test-incident-3.md`.",
    );
  });

  it("asked for again, says the draft is updated even when that request had to be tried again: the record knows its documents", async () => {
    const herald = await workedIncident();
    const before = (await herald.slackCalls()).length;
    await herald.request("/slack/commands", await slashCommand("postmortem"));
    await herald.settle();
    const ready = (await herald.slackCalls()).slice(before).filter((c) => c.method === "chat.postMessage" && String(c.body.text).includes("ready for review"));
    expect(ready).toHaveLength(1);
    const api = async () => ((await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { incident: { documents?: unknown } }).incident;
    expect((await api()).documents).toEqual({
      postmortem: { path: "postmortems/2021-06-04-inc-9-test-incident-3.md", url: "https://github.com/platform/incidents/pull/101" },
    });

    // Asked again (the first answer cut off, say); GitHub fails its first try, so the second is a retry.
    await fetch(`${harness.vendorsUrl}/github/__fault`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ call: "PUT contents", status: 500 }) });
    await herald.request("/slack/commands", await slashCommand("postmortem", { responseUrl: `${harness.vendorsUrl}/slack/response/again` }));
    await herald.settle();
    await retriesRun(herald);
    const calls = (await herald.slackCalls()).slice(before);
    expect(calls.filter((c) => c.method === "chat.postMessage" && String(c.body.text).includes("ready for review"))).toHaveLength(1);
    expect(calls.filter((c) => c.method === "response_url").map((c) => [c.body.url, c.body.text])).toEqual([
      ["/slack/response/again", ":page_facing_up: The post-mortem draft is updated from the record as it is now: <https://github.com/platform/incidents/pull/101|pull request #101> changes `postmortems/2021-06-04-inc-9-test-incident-3.md`."],
    ]);
  });
});
