import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { API_TOKEN, SLACK_TEST_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";
import { slashCommand } from "../support/slack-requests.js";
import { ConsoleClient, visibleText } from "../support/console-client.js";
import type { Store } from "../../src/ports/store.js";

// The worst day, in small: a backlog, redeliveries, a vendor that refuses for good, paging through a
// large record. (Fuzzing is in fuzz.spec.ts; crashes and slow senders are Node's, in test/node.)
const auth = { headers: { authorization: `Bearer ${API_TOKEN}` } };

/** Brings every effect waiting for a retry forward, as if its wait (a backoff, a Retry-After) were over. */
async function waitsOver(store: Store): Promise<number> {
  const waiting = (await store.openEffects(100)).filter((e) => e.status === "pending");
  for (const e of waiting) await store.finishEffect(e.key, { status: "pending", error: e.lastError ?? undefined, nextAttemptAt: new Date(Date.now() - 1000).toISOString() }, new Date().toISOString());
  return waiting.length;
}

/** A fresh incident.triggered page (its own event and incident), from the real fixture. */
function page(n: number, priority: "P1" | "P3", occurredAt = new Date().toISOString()): string {
  const body = JSON.parse(lifecycle(deliveries)[0]!.body);
  body.event.id = `EVT-REL-${n}`;
  body.event.occurred_at = occurredAt;
  body.event.data.id = `PREL${n}`;
  body.event.data.number = 700 + n;
  body.event.data.title = `${priority} page ${n}`;
  if (priority === "P3") body.event.data.priority = { ...body.event.data.priority, id: "PPRIO03", summary: "P3" };
  return JSON.stringify(body);
}

describe(`a bad day (${harness.runtime})`, () => {
  it("works on a new P1 before an older backlog of P3 pages", async () => {
    const herald = await harness.start();
    for (let n = 0; n < 6; n++) expect((await herald.request("/webhooks/pagerduty", await signedDelivery(page(n, "P3")))).status).toBe(202);
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(page(99, "P1")))).status).toBe(202);
    expect((await herald.store.pendingDeliveries(2)).map((d) => d.id)).toEqual(["pagerduty:EVT-REL-99", "pagerduty:EVT-REL-0"]);
    await herald.settle();
    // Its work was queued first, and so started first (lanes then run side by side).
    const firstQueued = async (id: string) => Math.min(...(await herald.store.effectsFor((await herald.store.getIncident(id))!.id)).map((e) => e.seq));
    const p1 = await firstQueued("PREL99");
    for (let n = 0; n < 6; n++) expect(p1).toBeLessThan(await firstQueued(`PREL${n}`));
    const update = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && c.body.channel === TEAM_CHANNELS.update);
    expect(String(update[0]!.body.text)).toContain("P1 page 99");
  });

  it("does each thing once when every delivery comes three times, at once and again", async () => {
    const herald = await harness.start();
    const scenario = lifecycle(deliveries).map((d, i) => d.body.replace(/"occurred_at":"[^"]+"/, `"occurred_at":"${new Date(Date.now() + i * 1000).toISOString()}"`));
    for (const body of scenario) {
      const answers = await Promise.all([0, 1, 2].map(async () => (await herald.request("/webhooks/pagerduty", await signedDelivery(body))).status));
      expect(answers).toEqual([202, 202, 202]);
    }
    await herald.settle();
    for (const body of scenario) {
      for (let i = 0; i < 3; i++) expect((await herald.request("/webhooks/pagerduty", await signedDelivery(body))).status).toBe(202);
    }
    await herald.settle();
    const calls = await herald.slackCalls();
    expect(calls.filter((c) => c.method === "conversations.create")).toHaveLength(1);
    const posts = calls.filter((c) => c.method === "chat.postMessage").map((c) => `${c.body.channel} ${c.body.text}`);
    expect(posts.length).toBeGreaterThan(3);
    expect(new Set(posts).size).toBe(posts.length);
    const detail = (await (await herald.request("/api/incidents/PFQZPSY", auth)).json()) as { timeline: { kind: string }[] };
    const kinds = detail.timeline.map((e) => e.kind).filter((k) => !k.startsWith("herald."));
    expect(kinds).toEqual(["incident.triggered", "incident.acknowledged", "incident.annotated", "incident.resolved"]);
  });

  it("behind Slack's rate limit on topics, sets only the newest topic once the limit is over", async () => {
    const herald = await harness.start();
    await herald.failSlack("conversations.setTopic", { status: 429, retryAfter: 600 });
    const [triggered, ...rest] = lifecycle(deliveries);
    await herald.request("/webhooks/pagerduty", await signedDelivery(triggered!.body));
    await herald.settle();
    // The room's lane waits out the limit; the acknowledgement, note and resolution queue behind it.
    for (const delivery of rest) await herald.request("/webhooks/pagerduty", await signedDelivery(delivery.body));
    await herald.settle();
    const topics = async () => (await herald.slackCalls()).filter((c) => c.method === "conversations.setTopic").map((c) => String(c.body.topic));
    expect(await topics()).toHaveLength(1);
    // The limit is over.
    await waitsOver(herald.store);
    await herald.settle();
    const set = await topics();
    expect(set).toHaveLength(2);
    expect(set[1]).toMatch(/resolved/);
    const incident = (await herald.store.getIncident("PFQZPSY"))!;
    const topicEffects = (await herald.store.effectsFor(incident.id)).filter((e) => e.payload.kind === "set_topic");
    // Triggered, acknowledged, resolved: the first two kept as skipped, superseded by the last.
    expect(topicEffects.map((e) => e.status)).toEqual(["skipped", "skipped", "done"]);
  });

  it("ends a permanent failure as a dead letter: listed by the API, said once in the team channel", async () => {
    const herald = await harness.start();
    // The room's first post (the summary) is refused for good.
    await herald.failSlack("chat.postMessage", { error: "channel_not_found", channel: "C00000001" });
    await herald.request("/webhooks/pagerduty", await signedDelivery(page(1, "P1")));
    await herald.settle();
    const failed = (await (await herald.request("/api/effects/failed", auth)).json()) as { effects: { key: string; kind: string; status: string; lastError: string; what: string }[] };
    expect(failed.effects).toHaveLength(1);
    expect(failed.effects[0]).toMatchObject({ kind: "post_message", status: "failed" });
    // What it was to post, as text: the summary's start, its markup read (no `*`, no entities).
    expect(failed.effects[0]!.what).toMatch(/^🚨 P1 incident \d+: /);
    expect(failed.effects[0]!.what).not.toMatch(/[*<>]|&\w+;/);
    expect(failed.effects[0]!.lastError).toContain("channel_not_found");
    const notices = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && String(c.body.text).includes("Herald has stopped trying"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body.channel).toBe(TEAM_CHANNELS.team);
    expect(String(notices[0]!.body.text)).toContain("post what is missing by hand");
    // Quoted in the notice, so it can be posted by hand without opening anything.
    expect(String(notices[0]!.body.text)).toContain(`\n>${failed.effects[0]!.what}\n`);
    await herald.settle();
    expect((await herald.slackCalls()).filter((c) => String(c.body.text ?? "").includes("Herald has stopped trying"))).toHaveLength(1);
  });

  it("tries a dead letter again when asked through the API, once what failed is fixed, and refuses what it cannot", async () => {
    const herald = await harness.start();
    await herald.failSlack("chat.postMessage", { error: "channel_not_found", channel: "C00000001" });
    await herald.request("/webhooks/pagerduty", await signedDelivery(page(1, "P1")));
    await herald.settle();
    const [dead] = (await herald.store.failedEffects({ limit: 10 })).items;
    const retry = (key: string, init: RequestInit = {}) =>
      herald.request(`/api/effects/${encodeURIComponent(key)}/retry`, { method: "POST", ...init, headers: { ...auth.headers, ...init.headers } });

    // From a web page of another site: refused, and nothing queued.
    const crossSite = await retry(dead!.key, { headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect((await herald.store.getEffect(dead!.key))!.status).toBe("failed");

    // The channel is back (the fake refused once): asked again, the summary lands, once.
    const queued = await retry(dead!.key);
    expect(queued.status).toBe(202);
    expect(await queued.json()).toMatchObject({ effect: { key: dead!.key, status: "pending", attempts: 1, lastError: null, kind: "post_message" }, alongWith: [] });
    await herald.settle();
    expect((await herald.store.failedEffects({ limit: 10 })).items).toEqual([]);
    expect((await herald.store.getEffect(dead!.key))!.status).toBe("done");
    const summaries = (await herald.slackCalls()).filter((c) => c.method === "chat.postMessage" && c.body.channel === "C00000001" && String(c.body.text).startsWith(":rotating_light:"));
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    const [incident] = await herald.store.listIncidents();
    const roomPosts = ((await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; text: string }[]).filter((m) => m.channel === incident!.channel!.id);
    expect(roomPosts.filter((m) => m.text.startsWith(":rotating_light:"))).toHaveLength(1);
    expect((await herald.slackCalls()).filter((c) => String(c.body.text ?? "").includes("Herald has stopped trying"))).toHaveLength(1);

    const again = await retry(dead!.key);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: "conflict", message: `effect ${dead!.key} is done, not failed: only an action Herald gave up on is tried again` } });
    const unknown = await retry("no:such:effect");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: "not_found", message: "no effect no:such:effect" } });
    expect((await retry(dead!.key, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });

  it("looks for what a dead letter's last attempt made before trying it again: a post that landed on the last try, its answer lost, is not made twice", async () => {
    const herald = await harness.start();
    const vendors = harness.vendorsUrl;
    const room = "C00000001";
    // The room's summary: every try of the hour refused but the last, which lands and loses its answer.
    for (let n = 0; n < 14; n++) await fetch(`${vendors}/slack/__fault/chat.postMessage`, { method: "POST", body: JSON.stringify({ status: 503, channel: room }) });
    await fetch(`${vendors}/slack/__fault/chat.postMessage`, { method: "POST", body: JSON.stringify({ lose: true, channel: room }) });
    await herald.request("/webhooks/pagerduty", await signedDelivery(page(1, "P1")));
    await herald.settle();
    let rounds = 0;
    while ((await waitsOver(herald.store)) > 0) {
      await herald.settle();
      expect(++rounds, "effects still waiting").toBeLessThan(40);
    }
    expect(await (await fetch(`${vendors}/slack/__faults`)).json()).toEqual({});
    const [dead] = (await herald.store.failedEffects({ limit: 10 })).items;
    expect(dead).toMatchObject({ status: "failed", attempts: 15, payload: { kind: "post_message" } });

    const queued = await herald.request(`/api/effects/${encodeURIComponent(dead!.key)}/retry`, { method: "POST", ...auth });
    expect(queued.status).toBe(202);
    // Counted as tried once, so that what an earlier attempt made is looked for.
    expect(await queued.json()).toMatchObject({ effect: { status: "pending", attempts: 1, lastError: null } });
    await herald.settle();
    expect(await herald.store.getEffect(dead!.key)).toMatchObject({ status: "done" });
    const messages = (await (await fetch(`${vendors}/slack/__messages`)).json()) as { channel: string; text: string }[];
    expect(messages.filter((m) => m.channel === room && m.text.startsWith(":rotating_light:"))).toHaveLength(1);
  }, 60_000);

  it("finds an announcement whose answer was lost after an alert storm's posts buried it in the update channel, and posts it once", async () => {
    const herald = await harness.start();
    const vendors = harness.vendorsUrl;
    await fetch(`${vendors}/slack/__fault/chat.postMessage`, { method: "POST", body: JSON.stringify({ lose: true, channel: TEAM_CHANNELS.update }) });
    await herald.request("/webhooks/pagerduty", await signedDelivery(page(1, "P1")));
    await herald.settle();
    // Before its retry, 250 other posts reach the update channel (more than a page of its history).
    for (let n = 0; n < 250; n++) {
      await fetch(`${vendors}/slack/api/chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${SLACK_TEST_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: TEAM_CHANNELS.update, text: `P3 incident ${n + 2}: slow builds` }),
      });
    }
    let rounds = 0;
    while ((await waitsOver(herald.store)) > 0) {
      await herald.settle();
      expect(++rounds, "effects still waiting").toBeLessThan(10);
    }
    expect(await (await fetch(`${vendors}/slack/__faults`)).json()).toEqual({});
    const messages = (await (await fetch(`${vendors}/slack/__messages`)).json()) as { channel: string; text: string }[];
    expect(messages.filter((m) => m.channel === TEAM_CHANNELS.update && m.text.includes("P1 page 1"))).toHaveLength(1);
    const looked = (await herald.slackCalls()).filter((c) => c.method === "conversations.history" && c.body.channel === TEAM_CHANNELS.update);
    expect(looked.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("loses nothing to a Slack outage of about an hour: once Slack answers, the room is made and every post lands, none given up", async () => {
    const herald = await harness.start();
    const vendors = harness.vendorsUrl;
    // Every try of the hour (the last attempt's waits add up to 67 minutes: run-effects.spec.ts) answered 503.
    const outage = 14;
    for (const method of ["conversations.create", "chat.postMessage"]) {
      for (let n = 0; n < outage; n++) await fetch(`${vendors}/slack/__fault/${method}`, { method: "POST", body: JSON.stringify({ status: 503 }) });
    }
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(page(1, "P1")))).status).toBe(202);
    await herald.settle();
    // Meanwhile the API and the console say that Herald is behind, and what Slack answers.
    const during = (await (await herald.request("/api/backlog", auth)).json()) as { behind: boolean; effects: { waiting: number; retrying: number; errors: { error: string; count: number }[] } };
    expect(during).toMatchObject({ behind: true, effects: { retrying: 2 } });
    expect(during.effects.waiting).toBeGreaterThanOrEqual(2);
    expect(during.effects.errors.map((e) => [e.error, e.count])).toEqual(
      expect.arrayContaining([[expect.stringMatching(/^conversations\.create: .*503/), 1], [expect.stringMatching(/^chat\.postMessage: .*503/), 1]]),
    );
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const home = visibleText(await ada.page("/console"));
    expect(home).toContain("Herald is behind");
    expect(home).toContain("2 are being tried again after failing");
    expect(home).toMatch(/conversations\.create: .*503/);
    let rounds = 0;
    while ((await waitsOver(herald.store)) > 0) {
      await herald.settle();
      expect(++rounds, "effects still waiting").toBeLessThan(40);
    }

    expect(await (await fetch(`${vendors}/slack/__faults`)).json()).toEqual({});
    expect((await herald.store.failedEffects({ limit: 10 })).items).toEqual([]);
    const rooms = ((await (await fetch(`${vendors}/slack/__rooms`)).json()) as { name: string }[]).filter((r) => r.name.startsWith("inc-"));
    expect(rooms).toHaveLength(1);
    const [incident] = await herald.store.listIncidents();
    const messages = (await (await fetch(`${vendors}/slack/__messages`)).json()) as { channel: string; text: string }[];
    expect(messages.filter((m) => m.channel === incident!.channel!.id)[0]!.text).toMatch(/^:rotating_light: \*P1 incident/);
    expect(messages.filter((m) => m.channel === TEAM_CHANNELS.update)).toHaveLength(1);
    expect(messages.some((m) => m.text.includes("Herald has stopped trying"))).toBe(false);
    expect(await (await herald.request("/api/backlog", auth)).json()).toMatchObject({ behind: false, deliveries: { waiting: 0 }, effects: { waiting: 0, retrying: 0, errors: [] } });
    expect(visibleText(await ada.page("/console"))).not.toContain("Herald is behind");
  }, 60_000);

  it("pages the incidents and a long timeline through the API, and says what is wrong with a bad page", async () => {
    const herald = await harness.start();
    const start = Date.parse("2026-11-01T00:00:00.000Z");
    for (let n = 0; n < 5; n++) {
      await herald.request("/webhooks/pagerduty", await signedDelivery(page(n, "P3", new Date(start + n * 60_000).toISOString())));
    }
    await herald.settle();
    const first = (await (await herald.request("/api/incidents?limit=2", auth)).json()) as { incidents: { title: string }[]; next: string };
    expect(first.incidents.map((i) => i.title)).toEqual(["P3 page 4", "P3 page 3"]);
    const second = (await (await herald.request(`/api/incidents?limit=2&cursor=${first.next}`, auth)).json()) as { incidents: { title: string }[]; next: string };
    expect(second.incidents.map((i) => i.title)).toEqual(["P3 page 2", "P3 page 1"]);
    const open = (await (await herald.request("/api/incidents?status=open&limit=200", auth)).json()) as { incidents: unknown[]; next: null };
    expect(open).toMatchObject({ next: null });
    expect(open.incidents).toHaveLength(5);

    const detail = (await (await herald.request("/api/incidents/PREL0?timeline_limit=1", auth)).json()) as { timeline: unknown[]; timeline_next: string };
    expect(detail.timeline).toHaveLength(1);
    const rest = (await (await herald.request(`/api/incidents/PREL0/timeline?cursor=${detail.timeline_next}`, auth)).json()) as { timeline: unknown[]; next: null };
    expect(rest.timeline.length).toBeGreaterThan(0);
    expect(rest.next).toBeNull();

    for (const [path, message] of [
      ["/api/incidents?limit=0", "limit must be a whole number from 1 to 200"],
      ["/api/incidents?limit=abc", "limit must be a whole number from 1 to 200"],
      ["/api/incidents?status=maybe", "status must be open or resolved"],
      ["/api/incidents?cursor=%7Bnope", "cursor is not one Herald gave: pass the `next` of the page before, unchanged"],
      ["/api/incidents/PREL0/timeline?cursor=WyJ4Il0", "cursor is not one Herald gave: pass the `next` of the page before, unchanged"],
      ["/api/incidents/PREL0?timeline_limit=5000", "timeline_limit must be a whole number from 1 to 1000"],
      ["/api/incidents?priority=high", "priority must be a priority such as P1, or several comma-separated such as P1,P2"],
      ["/api/incidents?priority=P1,", "priority must be a priority such as P1, or several comma-separated such as P1,P2"],
      ["/api/effects/failed?cursor=bad", "cursor is not one Herald gave: pass the `next` of the page before, unchanged"],
    ] as const) {
      const response = await herald.request(path, auth);
      expect(response.status, path).toBe(400);
      expect(await response.json(), path).toEqual({ error: { code: "bad_request", message } });
    }

    // By priority: one or several, in any case, with the other filters.
    await herald.request("/webhooks/pagerduty", await signedDelivery(page(5, "P1", new Date(start + 5 * 60_000).toISOString())));
    await herald.settle();
    const titles = async (query: string) => ((await (await herald.request(`/api/incidents?${query}`, auth)).json()) as { incidents: { title: string }[] }).incidents.map((i) => i.title);
    expect(await titles("priority=P1")).toEqual(["P1 page 5"]);
    expect(await titles("priority=p3,P1&limit=2")).toEqual(["P1 page 5", "P3 page 4"]);
    expect(await titles("priority=P3&status=open&limit=3")).toEqual(["P3 page 4", "P3 page 3", "P3 page 2"]);
    expect(await titles("priority=P2")).toEqual([]);
  });

  it("tries every dead letter again at once through the API, and pages through them", async () => {
    const herald = await harness.start();
    // Both rooms' first posts (the summaries) are refused for good.
    await herald.failSlack("chat.postMessage", { error: "channel_not_found", channel: "C00000001" });
    await herald.failSlack("chat.postMessage", { error: "channel_not_found", channel: "C00000002" });
    await herald.request("/webhooks/pagerduty", await signedDelivery(page(1, "P1")));
    await herald.settle();
    await herald.request("/webhooks/pagerduty", await signedDelivery(page(2, "P1")));
    await herald.settle();

    type Failed = { effects: { key: string }[]; next: string | null };
    const first = (await (await herald.request("/api/effects/failed?limit=1", auth)).json()) as Failed;
    expect(first.effects).toHaveLength(1);
    const second = (await (await herald.request(`/api/effects/failed?limit=1&cursor=${first.next}`, auth)).json()) as Failed;
    expect(second).toMatchObject({ effects: [{}], next: null });
    expect(new Set([first.effects[0]!.key, second.effects[0]!.key]).size).toBe(2);

    const retryAll = (init: RequestInit = {}) => herald.request("/api/effects/failed/retry", { method: "POST", ...init, headers: { ...auth.headers, ...init.headers } });
    expect((await retryAll({ headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await herald.store.failedEffects({ limit: 10 })).items).toHaveLength(2);

    const queued = await retryAll();
    expect(queued.status).toBe(202);
    expect(await queued.json()).toEqual({ failed: 2, alongWith: 0 });
    await herald.settle();
    expect((await herald.store.failedEffects({ limit: 10 })).items).toEqual([]);
    const messages = (await (await fetch(`${harness.vendorsUrl}/slack/__messages`)).json()) as { channel: string; text: string }[];
    for (const incident of await herald.store.listIncidents()) {
      expect(messages.filter((m) => m.channel === incident.channel!.id && m.text.startsWith(":rotating_light:")), incident.title).toHaveLength(1);
    }
    expect(await (await retryAll()).json()).toEqual({ failed: 0, alongWith: 0 });
    expect((await herald.request("/api/effects/failed/retry", { method: "POST" })).status).toBe(401);
  });

  it("adds a note and a resolve said while PagerDuty was still opening the incident, once PagerDuty answers", async () => {
    const herald = await harness.start();
    const vendors = harness.vendorsUrl;
    // PagerDuty fails the incident's creation three times: its opening waits to be tried again.
    for (let n = 0; n < 3; n++) await fetch(`${vendors}/pagerduty/__fault`, { method: "POST", body: JSON.stringify({ call: "POST /incidents", status: 500 }) });
    const say = async (text: string, channel: string) => {
      const response = await herald.request("/slack/commands", await slashCommand(text, { channel, responseUrl: `${vendors}/slack/response/late` }));
      expect(response.status, text).toBe(200);
      await herald.settle();
    };
    await say("declare P2 networking PagerDuty is slow today", TEAM_CHANNELS.team);
    const [declared] = await herald.store.listIncidents();
    const room = declared!.channel!.id;
    await say("lead me", room);
    await say("note decision: fail over to eu-west-2", room);
    await say("resolve failed over", room);
    const opened = async () => ((await (await fetch(`${vendors}/pagerduty/__incidents`)).json()) as { incident_key: string | null; status: string; notes: { content: string }[] }[]).filter((i) => i.incident_key === declared!.id);
    expect(await opened()).toEqual([]);

    for (let round = 0; round < 10 && (await waitsOver(herald.store)) > 0; round++) await herald.settle();
    expect((await opened()).map((i) => [i.status, i.notes.map((n) => n.content)])).toEqual([["resolved", ["decision: fail over to eu-west-2"]]]);
  });

  it("after a storm of vendor faults (429, 500, hangs past the timeout, closed connections, lost answers) on Slack, PagerDuty and GitHub, everything exists exactly once, in order", async () => {
    const herald = await harness.start();
    const vendors = harness.vendorsUrl;
    const post = (path: string, body: unknown) => fetch(`${vendors}${path}`, { method: "POST", body: JSON.stringify(body) });
    // A hang outlasts the vendor clients' 10-second timeout; the room's and PagerDuty's overlap (their lanes run side by side).
    for (const fault of [{ status: 500 }, { hang: true }, { close: true }]) await post("/slack/__fault/conversations.create", fault);
    for (const fault of [{ status: 429, retryAfter: 1 }, { lose: true }, { close: true }, { status: 500 }, { lose: true }]) await post("/slack/__fault/chat.postMessage", fault);
    // A call that landed is found on the retry, not made again: a fault after it would never be served.
    for (const fault of [{ status: 500 }, { hang: true }]) await post("/pagerduty/__fault", { call: "POST /incidents", ...fault });
    for (const fault of [{ status: 500 }, { close: true }]) await post("/pagerduty/__fault", { call: "POST /incidents/:id/notes", ...fault });
    for (const fault of [{ status: 502 }, { close: true }]) await post("/github/__fault", { call: "POST issues", ...fault });
    for (const fault of [{ status: 500 }, { close: true }]) await post("/github/__fault", { call: "PUT contents", ...fault });
    for (const fault of [{ status: 503 }, { lose: true }]) await post("/github/__fault", { call: "POST pulls", ...fault });

    // Time passes as the faults want it: each retry's due time is brought forward, until nothing is left.
    const drive = async () => {
      for (let round = 0; round < 30; round++) {
        await herald.settle();
        if ((await waitsOver(herald.store)) === 0) return;
      }
      throw new Error("effects still waiting after 30 rounds");
    };
    const say = async (text: string, channel: string) => {
      const response = await herald.request("/slack/commands", await slashCommand(text, { channel, responseUrl: `${vendors}/slack/response/storm` }));
      expect(response.status, text).toBe(200);
      await drive();
    };
    await say("declare P1 networking Storm over the VPC", TEAM_CHANNELS.team);
    const [incident] = await herald.store.listIncidents();
    const room = incident!.channel!.id;
    await say("lead me", room);
    await say("note decision: fail over to eu-west-2", room);
    await say("resolve --temporary restarted the NAT gateway", room);
    await say("postmortem", room);

    const rooms = ((await (await fetch(`${vendors}/slack/__rooms`)).json()) as { name: string }[]).filter((r) => r.name.startsWith("inc-"));
    expect(rooms.map((r) => r.name)).toEqual(["inc-1-storm-over-the-vpc"]);
    const messages = (await (await fetch(`${vendors}/slack/__messages`)).json()) as { channel: string; text: string }[];
    for (const channel of new Set(messages.map((m) => m.channel))) {
      const texts = messages.filter((m) => m.channel === channel).map((m) => m.text);
      expect(texts.filter((t, i) => texts.indexOf(t) !== i), `posted twice in ${channel}`).toEqual([]);
    }
    const inRoom = messages.filter((m) => m.channel === room).map((m) => m.text.split("\n")[0]);
    expect(inRoom[0]).toMatch(/^:rotating_light: \*P1 incident 1: Storm over the VPC\*/);
    // The users' announcement (kept up to date in place, so it shows the resolve now) and the resolution, once each.
    expect(messages.filter((m) => m.channel === TEAM_CHANNELS.update).map((m) => m.text.split("\n").slice(0, 2).join(" | "))).toEqual([
      ":white_check_mark: *Resolved: Storm over the VPC* | *Status:* resolved",
      expect.stringMatching(/^:white_check_mark: \*Resolved: Storm over the VPC\* \| Resolved /),
    ]);
    const opened = ((await (await fetch(`${vendors}/pagerduty/__incidents`)).json()) as { incident_key: string | null; notes: { content: string }[] }[]).filter((i) => i.incident_key === incident!.id);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.notes.map((n) => n.content)).toEqual(["decision: fail over to eu-west-2"]);
    expect(((await (await fetch(`${vendors}/github/__issues`)).json()) as { title: string }[]).map((i) => i.title)).toEqual(["Permanent fix for: Storm over the VPC"]);
    const pulls = (await (await fetch(`${vendors}/github/__pulls`)).json()) as { head: string; title: string }[];
    expect(pulls.map((p) => p.title)).toEqual(["Post-mortem: Storm over the VPC"]);
    // Found on the retry after its answer was lost, the pull request is still new to the room.
    const link = messages.filter((m) => m.channel === room && m.text.includes("/pull/")).map((m) => m.text);
    expect(link).toEqual([expect.stringMatching(/^:page_facing_up: The post-mortem draft is ready for review: /)]);
    // Every fault was served, and outlived: nothing gave up.
    for (const vendor of ["slack", "pagerduty", "github"]) expect(await (await fetch(`${vendors}/${vendor}/__faults`)).json(), vendor).toEqual({});
    expect((await herald.store.failedEffects({ limit: 10 })).items).toEqual([]);
  }, 120_000);
});
