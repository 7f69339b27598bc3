import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import type { ChatRequest } from "../../src/domain/chat-request.js";
import { templates } from "../../src/generated/templates.js";
import { handleChatRequest } from "../../src/pipeline/handle-chat-request.js";
import { createRenderer } from "../../src/render/renderer.js";
import { createSqliteStore } from "../../src/store/sqlite-store.js";

const config = loadConfig(readFileSync("herald.yaml", "utf8"), { source: "herald.yaml", env: {}, templateNames: Object.keys(templates) });
const renderer = createRenderer(templates, { timeZone: config.timezone });
const store = createSqliteStore(":memory:", "migrations");

let n = 0;
/** `not-incident <reason>` said in the team channel, as Slack's route stores it. */
function said(reason: string, at: string, user = "U0ADA0001"): ChatRequest {
  return {
    id: `slack:not-incident-${++n}`,
    platform: "slack",
    receivedAt: at,
    actor: { id: user, name: user },
    place: { channel: config.channels.team, threadId: null },
    via: "command",
    asked: { ok: true, command: { name: "not-incident", reason }, word: "not-incident" },
    answer: "given",
    replyUrl: `https://hooks.slack.com/commands/T0TEAM/${n}/abc`,
    prefix: "/incident",
  };
}

/** Handles the request and commits what it asks for as the pipeline does; the kinds of effects it queued, with a refusal's text. */
async function handle(request: ChatRequest) {
  await store.recordDelivery({ id: request.id, source: "slack", webhookId: null, receivedAt: request.receivedAt, body: "{}", request });
  const outcome = await handleChatRequest(request, { store, config, renderer });
  await store.commitProcessed({ deliveryId: request.id, processedAt: request.receivedAt, incidents: [], entries: [], effects: outcome.effects });
  return outcome.effects.map((e) => (e.payload.kind === "post_message" ? `${e.payload.kind}: ${e.payload.text}` : e.payload.kind));
}

describe("not-incident said again", () => {
  it("files nothing more when the same person says the same reason in the same channel within ten minutes, and files a new one after", async () => {
    expect(await handle(said("planned maintenance overran", "2026-12-07T10:00:00.000Z"))).toEqual(["github_issue"]);
    // Its answer lost, said again a minute later, in other case and spacing: told, nothing filed.
    expect(await handle(said("Planned  maintenance overran ", "2026-12-07T10:01:10.000Z"))).toEqual([
      "post_message: :clipboard: You said this is not an incident 1 minute ago, with the same reason: Herald is raising its issue and will post the link where it was said. Nothing more is filed.",
    ]);
    // Another reason, or another person: their own.
    expect(await handle(said("a load test from the perf team", "2026-12-07T10:02:00.000Z"))).toEqual(["github_issue"]);
    expect(await handle(said("planned maintenance overran", "2026-12-07T10:03:00.000Z", "U0GRACE01"))).toEqual(["github_issue"]);
    // Filed meanwhile: the link is given.
    const [first] = (await store.openEffects(10)).filter((e) => e.key === "slack:not-incident-1:issue");
    await store.finishEffect(first!.key, { status: "done", result: { title: "planned maintenance overran", url: "https://github.com/platform/incidents/issues/1", number: 1 } }, "2026-12-07T10:00:02.000Z");
    expect(await handle(said("planned maintenance overran", "2026-12-07T10:09:00.000Z"))).toEqual([
      "post_message: :clipboard: You said this is not an incident 9 minutes ago, with the same reason: its issue is <https://github.com/platform/incidents/issues/1|#1 planned maintenance overran>. Nothing more is filed.",
    ]);
    // Over ten minutes after it: a new request.
    expect(await handle(said("planned maintenance overran", "2026-12-07T10:10:30.000Z"))).toEqual(["github_issue"]);
  });

  it("files again when Herald gave up on the first", async () => {
    expect(await handle(said("a certificate renewal reminder", "2026-12-07T11:00:00.000Z"))).toEqual(["github_issue"]);
    const [first] = (await store.openEffects(10)).filter((e) => e.payload.kind === "github_issue" && e.createdAt === "2026-12-07T11:00:00.000Z");
    await store.finishEffect(first!.key, { status: "failed", error: "GitHub issues.create: HTTP 410 Issues are disabled" }, "2026-12-07T11:00:05.000Z");
    expect(await handle(said("a certificate renewal reminder", "2026-12-07T11:01:00.000Z"))).toEqual(["github_issue"]);
  });
});
