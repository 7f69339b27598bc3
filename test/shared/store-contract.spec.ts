import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import type { Incident, TimelineEntry } from "../../src/domain/incident.js";
import { readingIncidentsOnce } from "../../src/pipeline/incident-cache.js";
import type { Delivery, IncidentQuery } from "../../src/ports/store.js";

const T0 = "2026-11-27T10:00:00.000Z";
const T1 = "2026-11-27T10:05:00.000Z";

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: "inc-1",
    pagerdutyId: "PD1",
    number: 1,
    title: "Disk full",
    url: null,
    service: null,
    priority: "P2",
    status: "triggered",
    urgency: "high",
    assignees: [],
    triggeredAt: T0,
    acknowledgedAt: null,
    resolvedAt: null,
    updatedAt: T0,
    channel: null,
    roles: {},
    ...overrides,
  };
}

function entry(id: string, at: string, overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    id,
    incidentId: "inc-1",
    at,
    author: { id: "U1", name: "Ada" },
    source: "pagerduty",
    category: "event",
    kind: "incident.triggered",
    text: `entry ${id}`,
    ...overrides,
  };
}

// One contract, run against SQLite on Node and D1 in workerd.
describe(`store contract (${harness.runtime})`, () => {
  it("stores a delivery once, by id or by webhook id, and lists it until processed", async () => {
    const store = await harness.freshStore();
    const delivery = { id: "pagerduty:E1", source: "pagerduty" as const, webhookId: "W1", receivedAt: T0, body: "{}" };
    expect(await store.recordDelivery(delivery)).toBe(true);
    expect(await store.recordDelivery(delivery)).toBe(false);
    expect(await store.recordDelivery({ ...delivery, id: "pagerduty:E2" })).toBe(false);
    expect(await store.recordDelivery({ ...delivery, id: "pagerduty:E3", webhookId: null, receivedAt: T1 })).toBe(true);
    expect((await store.pendingDeliveries(10)).map((d) => d.id)).toEqual(["pagerduty:E1", "pagerduty:E3"]);
    expect(await store.pendingDeliveries(1)).toHaveLength(1);

    await store.commitProcessed({ deliveryId: "pagerduty:E1", processedAt: T1, incidents: [], entries: [], effects: [] });
    expect((await store.pendingDeliveries(10)).map((d) => d.id)).toEqual(["pagerduty:E3"]);
  });

  it("commits an incident, its timeline and its effects together, idempotently", async () => {
    const store = await harness.freshStore();
    await store.recordDelivery({ id: "pagerduty:E1", source: "pagerduty", webhookId: null, receivedAt: T0, body: "{}" });
    const result = {
      deliveryId: "pagerduty:E1",
      processedAt: T0,
      incidents: [incident()],
      entries: [entry("e2", T1), entry("e1", T0)],
      effects: [
        { key: "k1", incidentId: "inc-1", payload: { kind: "create_channel" as const, name: "inc-1-disk-full" } },
        {
          key: "k2",
          incidentId: "inc-1",
          payload: { kind: "post_message" as const, to: "incident" as const, template: "incident-summary", text: "hi" },
        },
      ],
    };
    await store.commitProcessed(result);
    await store.commitProcessed(result);

    expect(await store.getIncident("inc-1")).toEqual(incident());
    expect(await store.getIncident("PD1")).toEqual(incident());
    expect(await store.getIncident("nope")).toBeNull();
    expect((await store.timeline("inc-1")).map((e) => e.id)).toEqual(["e1", "e2"]);
    expect(await store.timeline("inc-1")).toContainEqual(entry("e1", T0));
    const effects = await store.effectsFor("inc-1");
    expect(effects.map((e) => [e.key, e.status, e.attempts, e.payload.kind])).toEqual([
      ["k1", "pending", 0, "create_channel"],
      ["k2", "pending", 0, "post_message"],
    ]);
    expect(effects[0]!.seq).toBeLessThan(effects[1]!.seq);
  });

  it("updates an incident in place and lists incidents newest first", async () => {
    const store = await harness.freshStore();
    await store.commitProcessed({ deliveryId: "x", processedAt: T0, incidents: [incident()], entries: [], effects: [] });
    await store.commitProcessed({
      deliveryId: "y",
      processedAt: T1,
      incidents: [incident({ status: "acknowledged", updatedAt: T1 }), incident({ id: "inc-2", pagerdutyId: "PD2", triggeredAt: T1 })],
      entries: [],
      effects: [],
    });
    expect((await store.listIncidents()).map((i) => [i.id, i.status])).toEqual([
      ["inc-2", "triggered"],
      ["inc-1", "acknowledged"],
    ]);
    expect(await store.findIncidentByChannel("C1")).toBeNull();
    // An effect's outcome writes the incident as it leaves it, with its timeline entry, in one go.
    await store.commitProcessed({ deliveryId: "z", processedAt: T1, incidents: [], entries: [], effects: [{ key: "k-room", incidentId: "inc-1", payload: { kind: "create_channel", name: "n" } }] });
    const withRoom = { ...(await store.getIncident("inc-1"))!, channel: { id: "C1", name: "inc-1-disk-full" } };
    const entry = { id: "k-room:room_created", incidentId: "inc-1", at: T1, author: null, source: "herald", category: "event" as const, kind: "herald.room_created", text: "Herald opened the incident's room" };
    await store.finishEffect("k-room", { status: "done" }, T1, { incident: withRoom, entries: [entry] });
    expect((await store.getIncident("inc-1"))!.channel).toEqual({ id: "C1", name: "inc-1-disk-full" });
    expect((await store.findIncidentByChannel("C1"))!.id).toBe("inc-1");
    expect((await store.timeline("inc-1")).map((e) => e.kind)).toEqual(["herald.room_created"]);
    expect((await store.effectsFor("inc-1")).map((e) => e.status)).toEqual(["done"]);
  });

  it("tracks an effect's attempts and outcome", async () => {
    const store = await harness.freshStore();
    await store.commitProcessed({
      deliveryId: "x",
      processedAt: T0,
      incidents: [incident()],
      entries: [],
      effects: [{ key: "k1", incidentId: "inc-1", payload: { kind: "create_channel", name: "n" } }],
    });
    await store.startEffect("k1", T0);
    expect((await store.openEffects(10)).map((e) => [e.status, e.attempts])).toEqual([["in_flight", 1]]);
    await store.finishEffect("k1", { status: "pending", error: "HTTP 500", nextAttemptAt: T1 }, T0);
    expect(await store.openEffects(10)).toMatchObject([{ status: "pending", attempts: 1, lastError: "HTTP 500", nextAttemptAt: T1 }]);
    await store.startEffect("k1", T1);
    await store.finishEffect("k1", { status: "done", result: { id: "C1", name: "n" } }, T1);
    expect(await store.openEffects(10)).toEqual([]);
    expect(await store.effectsFor("inc-1")).toMatchObject([{ status: "done", attempts: 2, lastError: null, result: { id: "C1", name: "n" } }]);
    expect(await store.getEffect("k1")).toEqual((await store.effectsFor("inc-1"))[0]);
    expect(await store.getEffect("no-such-key")).toBeNull();
  });

  it("marks the next effect started in the same write as an outcome, when asked with the queries that write takes", async () => {
    const store = await harness.freshStore();
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    await store.commitProcessed({ deliveryId: "x", processedAt: T0, incidents: [incident()], entries: [], effects: [post("p1"), post("p2"), post("p3")] });
    await store.startEffect("p1", T0);
    const asked: number[] = [];
    const entry = { id: "p1:posted", incidentId: "inc-1", at: T1, author: null, source: "herald", category: "event" as const, kind: "herald.posted", text: "posted" };
    // The outcome, the incident, its entry and one effect queued after it: four statements.
    const then = [post("p4")];
    await store.finishEffect("p1", { status: "done", then }, T1, { incident: incident(), entries: [entry] }, (queries) => (asked.push(queries), "p2"));
    expect(asked).toEqual([4]);
    expect((await store.effectsFor("inc-1")).map((e) => [e.key, e.status, e.attempts])).toEqual([
      ["p1", "done", 1], ["p2", "in_flight", 1], ["p3", "pending", 0], ["p4", "pending", 0],
    ]);
    // Told no effect may start, it starts none.
    await store.finishEffect("p2", { status: "done" }, T1, undefined, (queries) => (asked.push(queries), null));
    expect(asked).toEqual([4, 1]);
    expect((await store.effectsFor("inc-1")).map((e) => [e.key, e.status, e.attempts])).toEqual([
      ["p1", "done", 1], ["p2", "done", 1], ["p3", "pending", 0], ["p4", "pending", 0],
    ]);
  });

  it("marks the first effect of the page's first lanes started with the read when asked, and none while deliveries wait", async () => {
    const store = await harness.freshStore();
    const post = (key: string, incidentId = "inc-1") => ({ key, incidentId, payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    const note = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "pagerduty_note" as const, content: key } });
    const asked: number[] = [];
    const due = await store.commitProcessed(
      {
        deliveryId: "x",
        processedAt: T0,
        incidents: [incident(), incident({ id: "inc-2", pagerdutyId: "PD2" })],
        entries: [],
        // inc-1's room lane (two posts) and PagerDuty lane (a note); inc-2's room lane.
        effects: [post("room-1"), post("room-2"), note("note-1"), post("other-1", "inc-2")],
      },
      { limit: 10, now: T0, startLanes: (queries) => (asked.push(queries), 2) },
    );
    // Asked with the queries of the write before the reads (two for each incident, one for the
    // effects, one for the delivery) and the reads' two.
    expect(asked).toEqual([8]);
    // Read as they were; the first of the first two lanes, in the page's order, marked started.
    expect(due!.map((e) => [e.key, e.status, e.attempts, e.startedWithRead ?? false])).toEqual([
      ["room-1", "pending", 0, true], ["room-2", "pending", 0, false], ["note-1", "pending", 0, true], ["other-1", "pending", 0, false],
    ]);
    expect((await store.effectsFor("inc-1")).map((e) => [e.key, e.status, e.attempts])).toEqual([
      ["room-1", "in_flight", 1], ["room-2", "pending", 0], ["note-1", "in_flight", 1],
    ]);
    await store.finishEffect("room-1", { status: "done" }, T1);
    await store.finishEffect("note-1", { status: "done" }, T1);
    // A run's last look: the lanes' next ones start, and the lease is not given up while they are due.
    const last = await store.pendingAndDue(10, { limit: 10, now: T1, startLanes: () => 8 }, { name: "pipeline", holder: "h" });
    expect(last.due.map((e) => [e.key, e.attempts, e.startedWithRead ?? false])).toEqual([["room-2", 0, true], ["other-1", 0, true]]);
    expect(last.released).toBe(false);
    await store.finishEffect("room-2", { status: "done" }, T1);
    // With a delivery waiting, the run takes it first and reads the page again: nothing is started.
    await store.recordDelivery({ id: "pagerduty:E9", source: "pagerduty", webhookId: null, receivedAt: T1, body: "{}" });
    await store.finishEffect("other-1", { status: "pending", error: "HTTP 500", nextAttemptAt: T1 }, T1);
    const waiting = await store.pendingAndDue(10, { limit: 10, now: T1, startLanes: () => 8 });
    expect(waiting.pending.map((d) => d.id)).toEqual(["pagerduty:E9"]);
    expect(waiting.due.map((e) => [e.key, e.startedWithRead ?? false])).toEqual([["other-1", false]]);
    expect((await store.effectsFor("inc-2")).map((e) => [e.key, e.status])).toEqual([["other-1", "pending"]]);
  });

  it("gives a retire_review on the due page its review post's result when that post was made, and nothing while it is not", async () => {
    const store = await harness.freshStore();
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "status-draft", text: key } });
    const retire = (key: string, review: string) => ({ key, incidentId: "inc-2", payload: { kind: "retire_review" as const, review, text: "replaced" } });
    await store.commitProcessed({ deliveryId: "x", processedAt: T0, incidents: [incident(), incident({ id: "inc-2", pagerdutyId: "PD2" })], entries: [], effects: [post("review-1"), post("review-2")] });
    await store.startEffects(["review-1", "review-2"], T0);
    await store.finishEffect("review-1", { status: "done", result: { channel: "C1", id: "1.5" } }, T1);
    await store.finishEffect("review-2", { status: "failed", error: "HTTP 500" }, T1);
    const due = await store.commitProcessed(
      { deliveryId: "y", processedAt: T1, incidents: [], entries: [], effects: [retire("retire-1", "review-1"), retire("retire-2", "review-2"), retire("retire-3", "never-made")] },
      { limit: 10, now: T1 },
    );
    expect(due!.map((e) => [e.key, e.reviewPost])).toEqual([
      ["retire-1", { channel: "C1", id: "1.5" }], ["retire-2", undefined], ["retire-3", undefined],
    ]);
    // Read on its own, an effect has no review post: the runner reads it.
    expect((await store.getEffect("retire-1"))!.reviewPost).toBeUndefined();
  });

  it("records a plain outcome later, before the next read or write sees the effect", async () => {
    const store = await harness.freshStore();
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    await store.commitProcessed({ deliveryId: "x", processedAt: T0, incidents: [incident()], entries: [], effects: [post("p1"), post("p2"), post("p3")] });
    await store.startEffects(["p1", "p2"], T0);
    await store.finishEffectLater("p1", { status: "done", result: { ts: "1" } }, T1);
    // A read: the outcome is there (D1: in the read's own round trip).
    expect(await store.getEffect("p1")).toMatchObject({ status: "done", result: { ts: "1" }, updatedAt: T1 });
    await store.finishEffectLater("p2", { status: "skipped", error: "no room" }, T1);
    // A write that changes the same effect after it: written in that order.
    await store.requeueEffects(["p2"], T1);
    expect((await store.effectsFor("inc-1")).map((e) => [e.key, e.status, e.lastError])).toEqual([
      ["p1", "done", null], ["p2", "pending", null], ["p3", "pending", null],
    ]);
    expect((await store.dueEffects(10, T1)).map((e) => e.key)).toEqual(["p2", "p3"]);
  });

  it("gives the due effects, none behind a waiting one of its lane, and the waiting ones of those lanes", async () => {
    const store = await harness.freshStore();
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    const note = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "pagerduty_note" as const, content: key } });
    await store.commitProcessed({
      deliveryId: "x",
      processedAt: T0,
      incidents: [incident(), incident({ id: "inc-2", pagerdutyId: "PD2" })],
      entries: [],
      // The room's lane: three posts, the second of which will wait. PagerDuty's lane: a note. Another incident's post.
      effects: [post("room-1"), post("room-2"), post("room-3"), note("note-1"), { ...post("other-1"), incidentId: "inc-2" }],
    });
    await store.startEffect("room-2", T0);
    await store.finishEffect("room-2", { status: "pending", error: "HTTP 500", nextAttemptAt: T1 }, T0);
    // room-3 waits behind room-2 and is not handed out; room-2 comes along, as its lane's waiting one.
    const due = await store.dueEffects(10, T0);
    expect(due.map((e) => [e.key, e.status === "pending" && e.nextAttemptAt === T1 ? "waiting" : "due"])).toEqual([
      ["room-1", "due"], ["note-1", "due"], ["other-1", "due"], ["room-2", "waiting"],
    ]);
    // Once room-2 is due again, the whole lane is.
    expect((await store.dueEffects(10, T1)).map((e) => e.key)).toEqual(["room-1", "room-2", "room-3", "note-1", "other-1"]);
  });

  it("says what is still to do from the next in line of each queue, and what the actions tried again fail with", async () => {
    const store = await harness.freshStore();
    const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
    expect(await store.backlog(10, T0)).toEqual({ most: 10, deliveries: { waiting: 0, oldestReceivedAt: null }, effects: { waiting: 0, retrying: 0, dueSince: null, errors: [] } });

    await store.recordDelivery({ id: "late", source: "pagerduty", webhookId: null, receivedAt: at(5), body: "{}" });
    await store.recordDelivery({ id: "urgent", source: "pagerduty", webhookId: null, receivedAt: at(8), body: "{}", urgency: 0 });
    await store.recordDelivery({ id: "early", source: "pagerduty", webhookId: null, receivedAt: at(2), body: "{}" });
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    await store.commitProcessed({ deliveryId: "x", processedAt: at(0), incidents: [incident()], entries: [], effects: ["p1", "p2", "p3", "p4", "p5", "p6", "p7"].map(post) });
    // Five failed and wait to be tried again (two of them with the same error, two with errors alike but for an id); one is done; one is ready.
    const failOnce = async (key: string, error: string, when: number) => {
      await store.startEffect(key, at(when));
      await store.finishEffect(key, { status: "pending", error, nextAttemptAt: at(120) }, at(when));
    };
    await failOnce("p1", "chat.postMessage: Slack answered HTTP 503", 10);
    await failOnce("p2", "chat.postMessage: the call timed out", 20);
    await failOnce("p3", "chat.postMessage: Slack answered HTTP 503", 30);
    await failOnce("p6", "PagerDuty POST /incidents/PT4KHLK/notes: HTTP 502", 32);
    await failOnce("p7", "PagerDuty POST /incidents/PGR0VU2/notes: HTTP 502", 34);
    await store.startEffect("p4", at(40));
    await store.finishEffect("p4", { status: "done" }, at(40));

    expect(await store.backlog(10, at(60))).toEqual({
      most: 10,
      deliveries: { waiting: 3, oldestReceivedAt: at(2) },
      effects: {
        waiting: 6,
        retrying: 5,
        // p5, ready since it was queued; the others wait for their retry.
        dueSince: at(0),
        // Each text apart, all of them, the most frequent first (readBacklog counts the alike together).
        errors: [
          { error: "chat.postMessage: Slack answered HTTP 503", count: 2, lastAt: at(30) },
          { error: "PagerDuty POST /incidents/PGR0VU2/notes: HTTP 502", count: 1, lastAt: at(34) },
          { error: "PagerDuty POST /incidents/PT4KHLK/notes: HTTP 502", count: 1, lastAt: at(32) },
          { error: "chat.postMessage: the call timed out", count: 1, lastAt: at(20) },
        ],
      },
    });
    // Counted up to `most`, in the order the queues are worked: the urgent delivery first.
    expect(await store.backlog(2, at(60))).toMatchObject({ most: 2, deliveries: { waiting: 2, oldestReceivedAt: at(2) }, effects: { waiting: 2, retrying: 2 } });
    expect((await store.backlog(1, at(60))).deliveries).toEqual({ waiting: 1, oldestReceivedAt: at(8) });

    // Once the retries are due, the longest due is the first of them; when all is done, nothing waits.
    await store.startEffect("p5", at(61));
    await store.finishEffect("p5", { status: "done" }, at(61));
    expect((await store.backlog(10, at(130))).effects.dueSince).toBe(at(120));
    for (const key of ["p1", "p2", "p3", "p6", "p7"]) await store.finishEffect(key, { status: "done" }, at(130));
    for (const id of ["late", "urgent", "early"]) await store.commitProcessed({ deliveryId: id, processedAt: at(130), incidents: [], entries: [], effects: [] });
    expect(await store.backlog(10, at(130))).toEqual({ most: 10, deliveries: { waiting: 0, oldestReceivedAt: null }, effects: { waiting: 0, retrying: 0, dueSince: null, errors: [] } });
  });

  it("hands the pipeline lease to one holder at a time, and to another once it expires", async () => {
    const store = await harness.freshStore();
    expect(await store.acquireLease("pipeline", "a", T0, T1)).toBe(true);
    expect(await store.acquireLease("pipeline", "b", T0, T1)).toBe(false);
    expect(await store.acquireLease("pipeline", "a", T0, T1)).toBe(true);
    expect(await store.acquireLease("pipeline", "b", "2026-11-27T10:06:00.000Z", "2026-11-27T10:07:00.000Z")).toBe(true);
    await store.releaseLease("pipeline", "a");
    expect(await store.acquireLease("pipeline", "a", T1, T1)).toBe(false);
    await store.releaseLease("pipeline", "b");
    expect(await store.acquireLease("pipeline", "a", T1, T1)).toBe(true);
    await store.releaseLeasesOf("node:host");
    expect(await store.acquireLease("pipeline", "node:host/1", T1, "2026-11-27T11:00:00.000Z")).toBe(false);
    await store.releaseLease("pipeline", "a");
    expect(await store.acquireLease("pipeline", "node:host/1", T1, "2026-11-27T11:00:00.000Z")).toBe(true);
    await store.releaseLeasesOf("node:hos");
    expect(await store.acquireLease("pipeline", "b", T1, T1)).toBe(false);
    await store.releaseLeasesOf("node:host");
    expect(await store.acquireLease("pipeline", "b", T1, T1)).toBe(true);
  });

  it("reads a run's deliveries with its lease, and the due effects with a turn's deliveries or with a commit", async () => {
    const store = await harness.freshStore();
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    await store.recordDelivery({ id: "d1", source: "pagerduty", webhookId: null, receivedAt: T0, body: "{}" });
    await store.recordDelivery({ id: "d2", source: "pagerduty", webhookId: null, receivedAt: T1, body: "{}" });

    // Taken: the pending deliveries come with it. Held by another: none, and the lease stays theirs.
    expect((await store.acquireLeaseWithPending("pipeline", "a", T0, T1, 10))?.map((d) => d.id)).toEqual(["d1", "d2"]);
    expect(await store.acquireLeaseWithPending("pipeline", "b", T0, T1, 10)).toBeNull();
    expect(await store.acquireLease("pipeline", "b", T0, T1)).toBe(false);
    expect((await store.acquireLeaseWithPending("pipeline", "a", T0, T1, 1))?.map((d) => d.id)).toEqual(["d1"]);

    // A commit asked for the due effects gives them as written by it; one not asked gives none.
    expect(await store.commitProcessed({ deliveryId: "d1", processedAt: T0, incidents: [incident()], entries: [], effects: [post("p1")] })).toBeNull();
    const due = await store.commitProcessed({ deliveryId: "d2", processedAt: T0, incidents: [], entries: [], effects: [post("p2")] }, { limit: 10, now: T0 });
    expect(due?.map((e) => [e.key, e.status])).toEqual([["p1", "pending"], ["p2", "pending"]]);
    expect(await store.commitProcessed({ deliveryId: "d2", processedAt: T0, incidents: [], entries: [], effects: [] }, { limit: 1, now: T0 })).toHaveLength(1);

    // A turn's reads: the deliveries still pending, and the due effects, as each read alone gives them.
    await store.startEffect("p1", T0);
    await store.finishEffect("p1", { status: "done" }, T1);
    await store.recordDelivery({ id: "d3", source: "pagerduty", webhookId: null, receivedAt: T1, body: "{}" });
    const turn = await store.pendingAndDue(10, { limit: 10, now: T1 });
    expect(turn.pending.map((d) => d.id)).toEqual(["d3"]);
    expect(turn.due).toEqual(await store.dueEffects(10, T1));
    expect(turn.due.map((e) => e.key)).toEqual(["p2"]);
  });

  it("keeps the local chat's channels and messages, one message per idempotency key", async () => {
    const store = await harness.freshStore();
    const channel = await store.createLocalChannel({ id: "console:inc-1-disk-full", name: "inc-1-disk-full" }, T0);
    expect(channel).not.toBe("name_taken");
    expect(await store.createLocalChannel({ id: "console:other", name: "inc-1-disk-full" }, T0)).toBe("name_taken");
    const { id } = channel as { id: string };
    expect(await store.findLocalChannel("inc-1-disk-full")).toEqual({ id, name: "inc-1-disk-full" });
    expect(await store.findLocalChannel(id)).toEqual({ id, name: "inc-1-disk-full" });
    const message = { id: "m1", channelId: id, channelName: "inc-1-disk-full", idempotencyKey: "k1", text: "hello", postedAt: T0 };
    await store.saveLocalMessage(message);
    await store.saveLocalMessage({ ...message, id: "m2" });
    const elsewhere = { id: "m3", channelId: "LOTHER", channelName: "update", idempotencyKey: "k2", text: "announce", postedAt: T1 };
    await store.saveLocalMessage(elsewhere);
    await store.saveLocalMessage({ ...elsewhere, id: "m4", idempotencyKey: "k-other-incident" });
    expect(await store.localMessagesFor(id, [])).toEqual([message]);
    expect(await store.localMessagesFor(id, ["k2"])).toEqual([message, elsewhere]);
    const manyKeys = [...Array.from({ length: 120 }, (_, i) => `unknown-${i}`), "k2"];
    expect(await store.localMessagesFor(null, manyKeys)).toEqual([elsewhere]);
    expect(await store.findLocalMessage("k1")).toEqual(message);

    // Room view: private answers only for their person; the latest messages, oldest first; topics, threads, buttons, files.
    const extra = {
      id: "m5",
      channelId: id,
      channelName: "inc-1-disk-full",
      idempotencyKey: null,
      text: "only for ada",
      postedAt: T1,
      visibleTo: "ada",
      threadId: "m1",
      buttons: [{ actionId: "volunteer_lead", label: "I'll lead", value: "i", command: "lead me" }],
      file: { filename: "a.ics", title: "A", content: "BEGIN:VCALENDAR" },
    };
    await store.saveLocalMessage(extra);
    expect(await store.roomMessages(id, "grace", 10)).toEqual([message]);
    expect(await store.roomMessages(id, "ada", 10)).toEqual([message, extra]);
    expect(await store.roomMessages(id, "ada", 1)).toEqual([extra]);
    await store.setLocalTopic(id, "P1 · triggered");
    expect(await store.findLocalChannel(id)).toEqual({ id, name: "inc-1-disk-full", topic: "P1 · triggered" });
    expect((await store.localChannels()).map((c) => c.name)).toEqual(["inc-1-disk-full"]);
    await store.ping();
  });

  it("keeps what a chat platform needs between requests, by platform and key", async () => {
    const store = await harness.freshStore();
    expect(await store.getPlatformState("teams", "conversation:19:abc")).toBeNull();
    await store.putPlatformState("teams", "conversation:19:abc", { serviceUrl: "https://smba.example/" }, T0);
    await store.putPlatformState("teams", "conversation:19:abc", { serviceUrl: "https://smba.example/emea/" }, T1);
    expect(await store.getPlatformState("teams", "conversation:19:abc")).toEqual({ serviceUrl: "https://smba.example/emea/" });
    expect(await store.getPlatformState("slack", "conversation:19:abc")).toBeNull();
  });

  it("gives the most urgent deliveries first: a new P1/P2, then a new incident, then the rest in arrival order", async () => {
    const store = await harness.freshStore();
    const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
    await store.recordDelivery({ id: "a", source: "pagerduty", webhookId: null, receivedAt: at(1), body: "{}" });
    await store.recordDelivery({ id: "b", source: "pagerduty", webhookId: null, receivedAt: at(2), body: "{}", urgency: 1 });
    await store.recordDelivery({ id: "c", source: "pagerduty", webhookId: null, receivedAt: at(3), body: "{}" });
    await store.recordDelivery({ id: "d", source: "pagerduty", webhookId: null, receivedAt: at(4), body: "{}", urgency: 0 });
    expect((await store.pendingDeliveries(10)).map((d) => d.id)).toEqual(["d", "b", "a", "c"]);
  });

  it("pages incidents newest first, by status, and a timeline oldest first", async () => {
    const store = await harness.freshStore();
    const at = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();
    const incidents = Array.from({ length: 5 }, (_, i) =>
      incident({ id: `inc-${i}`, pagerdutyId: null, triggeredAt: at(i), status: i % 2 ? "resolved" : "triggered" }),
    );
    await store.commitProcessed({
      deliveryId: "d",
      processedAt: T1,
      incidents,
      entries: Array.from({ length: 5 }, (_, i) => entry(`e${i}`, at(i % 3), { incidentId: "inc-0" })),
      effects: [],
    });
    const first = await store.pageIncidents({ limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual(["inc-4", "inc-3"]);
    const second = await store.pageIncidents({ limit: 2, cursor: first.next });
    expect(second.items.map((i) => i.id)).toEqual(["inc-2", "inc-1"]);
    const last = await store.pageIncidents({ limit: 2, cursor: second.next });
    expect(last).toEqual({ items: [incidents[0]], next: null });
    expect((await store.pageIncidents({ limit: 10, status: "open" })).items.map((i) => i.id)).toEqual(["inc-4", "inc-2", "inc-0"]);
    expect((await store.pageIncidents({ limit: 10, status: "resolved" })).items.map((i) => i.id)).toEqual(["inc-3", "inc-1"]);
    // The timers' view: the open ones and those resolved (last changed) since a moment.
    expect((await store.pageIncidents({ limit: 10, status: "open", resolvedSince: "1970-01-01T00:00:00.000Z" })).items.map((i) => i.id)).toEqual(["inc-4", "inc-3", "inc-2", "inc-1", "inc-0"]);
    expect((await store.pageIncidents({ limit: 10, status: "open", resolvedSince: "2999-01-01T00:00:00.000Z" })).items.map((i) => i.id)).toEqual(["inc-4", "inc-2", "inc-0"]);
    expect((await store.openIncidents(2)).map((i) => i.id)).toEqual(["inc-0", "inc-2"]);
    await expect(store.pageIncidents({ limit: 2, cursor: "not-a-cursor" })).rejects.toThrow(/cursor/);

    const page1 = await store.timelinePage("inc-0", { limit: 3 });
    expect(page1.items.map((e) => e.id)).toEqual(["e0", "e3", "e1"]);
    const page2 = await store.timelinePage("inc-0", { limit: 3, cursor: page1.next });
    expect(page2).toEqual({ items: [entry("e4", at(1), { incidentId: "inc-0" }), entry("e2", at(2), { incidentId: "inc-0" })], next: null });
  });

  it("drops old raw bodies and finished payloads, keeping every row and every failure", async () => {
    const store = await harness.freshStore();
    const old = "2026-10-01T00:00:00.000Z";
    await store.recordDelivery({ id: "old", source: "pagerduty", webhookId: "W-old", receivedAt: old, body: '{"secret":"raw"}' });
    await store.recordDelivery({ id: "new", source: "pagerduty", webhookId: null, receivedAt: T0, body: '{"raw":1}' });
    await store.recordDelivery({ id: "waiting", source: "pagerduty", webhookId: null, receivedAt: old, body: '{"raw":2}' });
    await store.commitProcessed({
      deliveryId: "old",
      processedAt: old,
      incidents: [incident()],
      entries: [],
      effects: [
        { key: "done", incidentId: "inc-1", payload: { kind: "post_message", to: "incident", template: "t", text: "long text" } },
        { key: "failed", incidentId: "inc-1", payload: { kind: "pagerduty_note", content: "note" } },
      ],
    });
    await store.commitProcessed({ deliveryId: "new", processedAt: T0, incidents: [], entries: [], effects: [] });
    await store.recordDelivery({ id: "unreadable", source: "slack", webhookId: "W-bad", receivedAt: old, body: "not json" });
    await store.commitProcessed({ deliveryId: "unreadable", processedAt: old, incidents: [], entries: [], effects: [], error: "not a delivery" });
    await store.finishEffect("done", { status: "pending", error: "timed out", nextAttemptAt: old }, old);
    await store.finishEffect("done", { status: "done", result: { id: "ts" } }, old);
    await store.finishEffect("failed", { status: "failed", error: "gone" }, old);
    const [doneBefore] = await store.effectsFor("inc-1");

    expect(await store.prune("2026-11-01T00:00:00.000Z", T1, 100)).toEqual({ deliveries: 2, effects: 1 });
    expect(await store.prune("2026-11-01T00:00:00.000Z", T1, 100)).toEqual({ deliveries: 0, effects: 0 });
    // A pruned row is written anew without its body (so its space is freed): all else stays as it was.
    expect((await store.failedDeliveries({ limit: 10 })).items).toEqual([{ id: "unreadable", source: "slack", receivedAt: old, processedAt: old, error: "not a delivery" }]);
    expect(await store.recordDelivery({ id: "other", source: "slack", webhookId: "W-bad", receivedAt: T1, body: "{}" })).toBe(false);
    expect((await store.effectsFor("inc-1"))[0]).toEqual({ ...doneBefore, payload: { kind: "post_message" }, result: null });
    // The pruned delivery is still known (a redelivery is not stored again); unprocessed ones are untouched.
    expect(await store.recordDelivery({ id: "old", source: "pagerduty", webhookId: "W-old", receivedAt: T1, body: "{}" })).toBe(false);
    expect((await store.pendingDeliveries(10)).map((d) => [d.id, d.body])).toEqual([["waiting", '{"raw":2}']]);
    const effects = await store.effectsFor("inc-1");
    expect(effects.map((e) => [e.key, e.status, e.payload, e.result])).toEqual([
      ["done", "done", { kind: "post_message" }, null],
      ["failed", "failed", { kind: "pagerduty_note", content: "note" }, null],
    ]);
    expect((await store.failedEffects({ limit: 10 })).items.map((e) => [e.key, e.lastError])).toEqual([["failed", "gone"]]);
  });

  it("pages incidents by priority, as each one's record says it now", async () => {
    const store = await harness.freshStore();
    const at = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();
    const priorities = ["P1", "P3", null, "P1", "P2", "P1"];
    const incidents = priorities.map((priority, i) => incident({ id: `inc-${i}`, pagerdutyId: null, triggeredAt: at(i), priority, status: i === 3 ? "resolved" : "triggered" }));
    await store.commitProcessed({ deliveryId: "d", processedAt: T1, incidents, entries: [], effects: [] });
    const ids = async (query: IncidentQuery) => (await store.pageIncidents(query)).items.map((i) => i.id);
    const first = await store.pageIncidents({ limit: 2, priorities: ["P1"] });
    expect(first.items.map((i) => i.id)).toEqual(["inc-5", "inc-3"]);
    expect(await ids({ limit: 2, priorities: ["P1"], cursor: first.next })).toEqual(["inc-0"]);
    expect(await ids({ limit: 10, priorities: ["P1", "P2"] })).toEqual(["inc-5", "inc-4", "inc-3", "inc-0"]);
    expect(await ids({ limit: 10, priorities: ["P1"], status: "open" })).toEqual(["inc-5", "inc-0"]);
    expect(await ids({ limit: 10, priorities: ["P4"] })).toEqual([]);
    // A priority changed on the record moves the incident with it.
    await store.saveIncidents([{ ...incidents[1]!, priority: "P1" }], [], T1);
    expect(await ids({ limit: 10, priorities: ["P1"] })).toEqual(["inc-5", "inc-3", "inc-1", "inc-0"]);
    expect(await ids({ limit: 10, priorities: ["P3"] })).toEqual([]);
  });

  it("pages the failed deliveries and the dead letters, newest first", async () => {
    const store = await harness.freshStore();
    const at = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    await store.recordDelivery({ id: "d", source: "pagerduty", webhookId: null, receivedAt: T0, body: "{}" });
    await store.commitProcessed({ deliveryId: "d", processedAt: T0, incidents: [incident()], entries: [], effects: ["e0", "e1", "e2", "ok"].map(post) });
    // Two of them fail in the same millisecond: the page's order still holds.
    for (const [key, minute] of [["e0", 1], ["e1", 2], ["e2", 2]] as const) await store.finishEffect(key, { status: "failed", error: `gone ${key}` }, at(minute));
    for (let n = 0; n < 3; n++) {
      await store.recordDelivery({ id: `bad-${n}`, source: "slack", webhookId: null, receivedAt: T0, body: "not json" });
      await store.commitProcessed({ deliveryId: `bad-${n}`, processedAt: at(n === 2 ? 1 : 3), incidents: [], entries: [], effects: [], error: "not a delivery" });
    }
    const effects = await store.failedEffects({ limit: 2 });
    expect(effects.items.map((e) => e.key)).toEqual(["e2", "e1"]);
    expect(await store.failedEffects({ limit: 2, cursor: effects.next })).toMatchObject({ items: [{ key: "e0", lastError: "gone e0" }], next: null });
    const deliveries = await store.failedDeliveries({ limit: 2 });
    expect(deliveries.items.map((d) => d.id)).toEqual(["bad-1", "bad-0"]);
    expect(await store.failedDeliveries({ limit: 2, cursor: deliveries.next })).toMatchObject({ items: [{ id: "bad-2", error: "not a delivery" }], next: null });
    expect(await store.failedDeliveries({ limit: 3 })).toMatchObject({ next: null });
    await expect(store.failedEffects({ limit: 2, cursor: "bad" })).rejects.toThrow(/cursor/);
  });

  it("queues every failed effect again at once, with those skipped for want of the room that failed", async () => {
    const store = await harness.freshStore();
    const post = (key: string, incidentId = "inc-1") => ({ key, incidentId, payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    const room = (key: string, incidentId: string) => ({ key, incidentId, payload: { kind: "create_channel" as const, name: key } });
    await store.recordDelivery({ id: "d", source: "pagerduty", webhookId: null, receivedAt: T0, body: "{}" });
    await store.commitProcessed({
      deliveryId: "d",
      processedAt: T0,
      incidents: [incident(), incident({ id: "inc-2", pagerdutyId: null })],
      entries: [],
      // inc-1's room failed and its summary was skipped for it; inc-2's room was made, one post was skipped for another reason.
      effects: [post("early-skip"), room("room-1", "inc-1"), post("summary-1"), post("failed-post"), room("room-2", "inc-2"), post("skipped-2", "inc-2"), post("done")],
    });
    await store.finishEffect("early-skip", { status: "skipped", error: "no room" }, T0);
    await store.finishEffect("room-1", { status: "failed", error: "restricted_action" }, T0);
    await store.finishEffect("summary-1", { status: "skipped", error: "no room" }, T0);
    await store.finishEffect("failed-post", { status: "failed", error: "not_in_channel" }, T0);
    await store.finishEffect("room-2", { status: "done", result: { id: "C2" } }, T0);
    await store.finishEffect("skipped-2", { status: "skipped", error: "no room" }, T0);
    await store.finishEffect("done", { status: "done" }, T0);

    // One at a time, the same rule: what a failed room takes along, and nothing for another kind or one not failed.
    const forRoom = { kind: "create_channel" as const, reason: "no room" };
    expect(await store.skippedAfter("room-1", forRoom)).toEqual(["summary-1"]);
    expect(await store.skippedAfter("failed-post", forRoom)).toEqual([]);
    expect(await store.skippedAfter("room-2", forRoom)).toEqual([]);
    expect(await store.skippedAfter("no-such-key", forRoom)).toEqual([]);

    expect(await store.requeueFailedEffects(T1, { kind: "create_channel", reason: "no room" })).toEqual({ failed: 2, alongWith: 1 });
    const status = new Map([...(await store.effectsFor("inc-1")), ...(await store.effectsFor("inc-2"))].map((e) => [e.key, e.status]));
    expect(Object.fromEntries(status)).toEqual({
      "early-skip": "skipped",
      "room-1": "pending",
      "summary-1": "pending",
      "failed-post": "pending",
      "room-2": "done",
      "skipped-2": "skipped",
      done: "done",
    });
    // Never tried, so nothing to look for: from no attempts.
    expect((await store.getEffect("summary-1"))).toMatchObject({ attempts: 0, lastError: null, nextAttemptAt: T1 });
    expect((await store.failedEffects({ limit: 10 })).items).toEqual([]);
    expect(await store.requeueFailedEffects(T1, { kind: "create_channel", reason: "no room" })).toEqual({ failed: 0, alongWith: 0 });
  });

  it("queues failed and skipped effects again, known as tried (their attempts counted from one), but not open ones, done ones or pruned ones", async () => {
    const store = await harness.freshStore();
    const old = "2026-10-01T00:00:00.000Z";
    await store.recordDelivery({ id: "d", source: "pagerduty", webhookId: null, receivedAt: old, body: "{}" });
    const post = (key: string) => ({ key, incidentId: "inc-1", payload: { kind: "post_message" as const, to: "incident" as const, template: "t", text: key } });
    await store.commitProcessed({
      deliveryId: "d",
      processedAt: old,
      incidents: [incident()],
      entries: [],
      effects: ["failed", "skipped", "done", "pending", "pruned"].map(post),
    });
    for (const key of ["failed", "skipped", "done", "pruned"]) await store.startEffect(key, old);
    await store.startEffect("failed", old);
    await store.finishEffect("failed", { status: "failed", error: "gone" }, old);
    await store.finishEffect("skipped", { status: "skipped", error: "no room" }, T0);
    await store.finishEffect("done", { status: "done" }, T0);
    await store.finishEffect("pruned", { status: "skipped", error: "no room" }, old);
    // Retention drops the payload of the one finished before the cut-off.
    expect(await store.prune("2026-11-01T00:00:00.000Z", T1, 100)).toMatchObject({ effects: 1 });
    // What would go again with "failed": not the pruned one, which has nothing left to do.
    expect(await store.skippedAfter("failed", { kind: "post_message", reason: "no room" })).toEqual(["skipped"]);

    expect(await store.requeueEffects([], T1)).toBe(0);
    expect(await store.requeueEffects(["failed", "skipped", "done", "pending", "pruned", "unknown"], T1)).toBe(2);
    const byKey = new Map((await store.effectsFor("inc-1")).map((e) => [e.key, e]));
    // Tried before (twice, and once): a retry looks for what an earlier attempt made.
    for (const key of ["failed", "skipped"]) expect(byKey.get(key), key).toMatchObject({ status: "pending", attempts: 1, lastError: null, nextAttemptAt: T1, updatedAt: T1 });
    expect(byKey.get("done")).toMatchObject({ status: "done", attempts: 1, updatedAt: T0 });
    expect(byKey.get("pending")).toMatchObject({ status: "pending", attempts: 0, updatedAt: old });
    expect(byKey.get("pruned")).toMatchObject({ status: "skipped", updatedAt: old });
    expect(byKey.get("pruned")!.payload).toEqual({ kind: "post_message" });
    expect((await store.dueEffects(10, T1)).map((e) => e.key).sort()).toEqual(["failed", "pending", "skipped"]);
    expect((await store.failedEffects({ limit: 10 })).items).toEqual([]);
  });

  it("frees what it drops: the next deliveries take its space and the database does not grow", async () => {
    const store = await harness.freshStore();
    // A PagerDuty delivery's size: small enough to sit in its row's page (a larger one's own pages
    // were freed even when the row was updated in place).
    const body = JSON.stringify({ event: { summary: "x".repeat(1_600) } });
    const deliveries = async (from: number) => {
      for (let n = from; n < from + 400; n++) {
        await store.recordDelivery({ id: `pagerduty:${n}`, source: "pagerduty", webhookId: null, receivedAt: "2026-10-01T00:00:00.000Z", body });
        await store.commitProcessed({ deliveryId: `pagerduty:${n}`, processedAt: "2026-10-01T00:00:01.000Z", incidents: [], entries: [], effects: [] });
      }
    };
    const empty = await harness.databaseBytes();
    await deliveries(0);
    const full = await harness.databaseBytes();
    while ((await store.prune("2026-11-01T00:00:00.000Z", T1, 200)).deliveries > 0);
    await deliveries(400);
    // 400 bodies: some 800 KB, far more than the free pages an earlier test may have left.
    expect(full - empty).toBeGreaterThan(600_000);
    expect((await harness.databaseBytes()) - full).toBeLessThan((full - empty) / 10);
    // Some 1,600 round trips to D1: seconds on a busy machine.
  }, 60_000);
});

describe(`a pipeline run reads each incident once (${harness.runtime})`, () => {
  /** The store, counting the incident reads that reach it; `refuse` makes its writes fail. */
  async function counted() {
    const store = await harness.freshStore();
    const reads = { count: 0, refuse: false };
    const watched = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name === "getIncident") return (id: string) => (reads.count++, target.getIncident(id));
        if (name === "finishEffect" && reads.refuse) return () => Promise.reject(new Error("the store refused the write"));
        return value;
      },
    });
    return { store, reads, cached: readingIncidentsOnce(watched) };
  }

  it("serves an incident it wrote, by id or PagerDuty id, without reading it back; each read a copy of its own", async () => {
    const { store, reads, cached } = await counted();
    await cached.saveIncidents([incident()], [], T0);
    const first = await cached.getIncident("inc-1");
    const again = await cached.getIncident("PD1");
    expect(reads.count).toBe(0);
    expect(first).toEqual(await store.getIncident("inc-1"));
    first!.title = "changed by whoever read it";
    expect(again!.title).toBe("Disk full");
    expect((await cached.getIncident("inc-1"))!.title).toBe("Disk full");
  });

  it("copies nested parts too, on reads and on writes: a writer or reader changing its object later changes nothing kept", async () => {
    const { cached } = await counted();
    // A role keyed __proto__ is data, as JSON.parse makes it, and must stay so.
    const roles = JSON.parse(`{"lead": {"id": "U1", "name": "Ada"}, "__proto__": {"id": "U9", "name": "Odd"}}`);
    const written = incident({ roles, assignees: [{ id: "P1", name: "Grace" }] });
    // Not what a record holds, but a value that is not plain data must still come back as itself.
    const seen = new Date(T0);
    Object.assign(written, { seen });
    await cached.saveIncidents([written], [], T0);
    written.roles.lead!.name = "changed by the writer";
    written.assignees.push({ id: "P2", name: "pushed by the writer" });
    const read = await cached.getIncident("inc-1");
    expect(read!.roles.lead!.name).toBe("Ada");
    expect(read!.assignees).toEqual([{ id: "P1", name: "Grace" }]);
    expect((read as unknown as { seen: Date }).seen).toEqual(seen);
    expect((read as unknown as { seen: Date }).seen).not.toBe(seen);
    expect(Object.getPrototypeOf(read!.roles)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(read!.roles, "__proto__")?.value).toEqual({ id: "U9", name: "Odd" });
    read!.roles.lead!.name = "changed by a reader";
    read!.assignees.length = 0;
    const again = await cached.getIncident("PD1");
    expect(again!.roles.lead!.name).toBe("Ada");
    expect(again!.assignees).toHaveLength(1);
  });

  it("reads an incident the run has not seen once, and remembers one that is not there", async () => {
    const { store, reads, cached } = await counted();
    await store.saveIncidents([incident()], [], T0);
    expect((await cached.getIncident("inc-1"))?.title).toBe("Disk full");
    expect((await cached.getIncident("PD1"))?.title).toBe("Disk full");
    expect(await cached.getIncident("inc-9")).toBeNull();
    expect(await cached.getIncident("inc-9")).toBeNull();
    expect(reads.count).toBe(2);
  });

  it("learns the incidents a page of deliveries read with it: no read for those, nor for a subject with none yet; what it wrote stays", async () => {
    const { store, reads, cached } = await counted();
    await store.saveIncidents([incident()], [], T0);
    const page = (id: string, subject?: string) => ({ id, source: "pagerduty" as const, webhookId: null, receivedAt: T0, body: "{}", ...(subject ? { subject } : {}) });
    for (const delivery of [page("d1", "PD1"), page("d2", "PD-NEW"), page("d3"), page("d4", "PD2")]) await store.recordDelivery(delivery);
    // This run wrote inc-2; the page reads an older record of it (written behind the run's back
    // here, to have one): the run's own write is the newer and stays.
    await cached.saveIncidents([incident({ id: "inc-2", pagerdutyId: "PD2", title: "Queue drained" })], [], T1);
    await store.saveIncidents([incident({ id: "inc-2", pagerdutyId: "PD2", title: "Queue backed up" })], [], T0);
    const pending = await cached.acquireLeaseWithPending("pipeline", "run-1", T0, T1, 10);
    expect(pending!.map((d) => [d.id, d.subject, d.subjectIncident === undefined ? "not read" : (d.subjectIncident?.title ?? null)])).toEqual([
      ["d1", "PD1", "Disk full"], ["d2", "PD-NEW", null], ["d3", undefined, "not read"], ["d4", "PD2", "Queue backed up"],
    ]);
    expect((await cached.getIncident("PD1"))?.title).toBe("Disk full");
    expect((await cached.getIncident("inc-1"))?.title).toBe("Disk full");
    expect(await cached.getIncident("PD-NEW")).toBeNull();
    expect((await cached.getIncident("PD2"))?.title).toBe("Queue drained");
    expect(reads.count).toBe(0);
    // The next pages teach it too; an incident written since is not read again.
    await cached.saveIncidents([incident({ id: "inc-3", pagerdutyId: "PD-NEW", title: "New" })], [], T1);
    expect((await cached.pendingAndDue(10, { limit: 10, now: T1 })).pending).toHaveLength(4);
    expect((await cached.getIncident("PD-NEW"))?.title).toBe("New");
    expect(reads.count).toBe(0);
  });

  it("reads with a page of deliveries whether each one's PagerDuty note is one Herald added itself", async () => {
    const { store } = await counted();
    await store.rememberExternal("pagerduty_note", "PNOTE-OURS", T0);
    await store.rememberExternal("other_kind", "PNOTE-OTHER", T0);
    const page = (id: string, note?: string) => ({ id, source: "pagerduty" as const, webhookId: null, receivedAt: T0, body: "{}", subject: "PD1", ...(note ? { note } : {}) });
    for (const delivery of [page("d1", "PNOTE-OURS"), page("d2", "PNOTE-THEIRS"), page("d3", "PNOTE-OTHER"), page("d4")]) await store.recordDelivery(delivery);
    const described = (pending: Delivery[]) => pending.map((d) => [d.id, d.note, d.ownNote === undefined ? "not read" : d.ownNote]);
    const expected = [["d1", "PNOTE-OURS", true], ["d2", "PNOTE-THEIRS", false], ["d3", "PNOTE-OTHER", false], ["d4", undefined, "not read"]];
    expect(described((await store.acquireLeaseWithPending("pipeline", "run-1", T0, T1, 10))!)).toEqual(expected);
    expect(described((await store.pendingAndDue(10, { limit: 10, now: T1 })).pending)).toEqual(expected);
    // A note remembered after the page was read is the next page's to tell.
    await store.rememberExternal("pagerduty_note", "PNOTE-THEIRS", T1);
    expect(described((await store.pendingAndDue(10, { limit: 10, now: T1 })).pending)[1]).toEqual(["d2", "PNOTE-THEIRS", true]);
  });

  it("keeps what an effect's outcome wrote, and forgets an incident whose write the store refused", async () => {
    const { store, reads, cached } = await counted();
    await store.saveIncidents([incident()], [{ key: "e1", incidentId: "inc-1", payload: { kind: "pagerduty_note", content: "note" } }], T0);
    await cached.finishEffect("e1", { status: "done" }, T1, { incident: incident({ title: "Disk full on db-1" }), entries: [] });
    expect((await cached.getIncident("inc-1"))?.title).toBe("Disk full on db-1");
    expect(reads.count).toBe(0);
    reads.refuse = true;
    await expect(cached.finishEffect("e1", { status: "done" }, T1, { incident: incident({ title: "never written" }), entries: [] })).rejects.toThrow("refused");
    expect((await cached.getIncident("inc-1"))?.title).toBe("Disk full on db-1");
    expect(reads.count).toBe(1);
  });
});
