import { harness } from "#harness";
import { readPagerDutyDelivery } from "../../src/pagerduty/read-delivery.js";
import { createChatRouter } from "../../src/chat/chat-router.js";
import type { IncidentEvent } from "../../src/domain/incident-event.js";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { templates } from "../../src/generated/templates.js";
import { runPipeline } from "../../src/pipeline/run-pipeline.js";
import type { ChatAdapter } from "../../src/ports/chat.js";
import { EffectError } from "../../src/ports/chat.js";
import { createRenderer } from "../../src/render/renderer.js";
import { createDraftPaging } from "../../src/pagerduty/pagerduty-paging.js";
import { createDraftIssues } from "../../src/github/github-issues.js";
import { deliveries } from "../support/fixtures.js";

const renderer = createRenderer(templates, { timeZone: "Europe/London" });
// A small configuration written here: each incident gets a room, a summary, an announcement and a
// status-page draft, so the counts below are read off this test, not the shipped herald.yaml.
const config = loadConfig(
  `
channels: { team: team, ask: ask, update: update }
priorities: [{ name: P1, description: all down }]
rules:
  - on: incident.triggered
    do:
      - create_channel
      - post: { to: incident, template: incident-summary }
      - post: { to: update, template: user-announcement }
      - status_draft
`,
  { source: "test.yaml", env: {}, templateNames: renderer.names },
);

function countingClock(stepMs: number) {
  let now = Date.parse("2026-11-27T10:00:00.000Z");
  return { now: () => new Date((now += stepMs)) };
}

function chat(fail = false): ChatAdapter & { posts: number } {
  const adapter = {
    platform: "console",
    capabilities: { rooms: true, topics: true, threads: true, edits: true, files: true, buttons: true, invites: true, pins: true },
    owns: () => true,
    roomName: (wanted: string) => wanted,
    posts: 0,
    async createChannel(name: string) {
      if (fail) throw new EffectError("conversations.create: HTTP 503", true);
      return { id: `C-${name}`, name };
    },
    async postMessage(message: { channel: string }) {
      if (fail) throw new EffectError("chat.postMessage: HTTP 503", true);
      adapter.posts++;
      return { channel: message.channel, id: String(adapter.posts) };
    },
    async findPosted() {
      return null;
    },
    async findRoom() {
      return null;
    },
    async pin() {},
    displayName: async () => null,
    userByEmail: async () => null,
    async invite() {
      return { refused: [] };
    },
    async setTopic() {},
    async respond() {},
    async updateMessage() {},
    async uploadFile() {},
  };
  return adapter;
}

async function storeWith(count: number, options: { urgency?: 0 | 1 | 2 } = {}) {
  const store = await harness.freshStore();
  const template = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
  template.event.data.priority = { id: "P", type: "priority_reference", summary: "P1" };
  for (let i = 0; i < count; i++) {
    template.event.id = `E${i}`;
    template.event.data.id = `P${i}`;
    template.event.data.number = i;
    await store.recordDelivery({ id: `pagerduty:E${i}`, source: "pagerduty", webhookId: null, receivedAt: `2026-11-27T09:00:${String(i).padStart(2, "0")}.000Z`, body: JSON.stringify(template), urgency: options.urgency });
  }
  return store;
}

type Store = Awaited<ReturnType<typeof harness.freshStore>>;

/** A run's dependencies around `store`: one chat adapter, PagerDuty's deliveries, drafts for PagerDuty and GitHub. */
function pipelineDeps(store: Store, options: { chat?: ChatAdapter; clock?: { now: () => Date }; sources?: Record<string, (body: string) => IncidentEvent[]> } = {}) {
  return {
    store,
    config,
    renderer,
    chat: createChatRouter([options.chat ?? chat()]),
    clock: options.clock ?? { now: () => new Date() },
    log: () => {},
    newId: () => crypto.randomUUID(),
    sources: options.sources ?? { pagerduty: readPagerDutyDelivery },
    holder: "test",
    paging: createDraftPaging(),
    issues: createDraftIssues(),
  };
}

describe(`runPipeline (${harness.runtime})`, () => {
  it("stops at its time budget and says there is more; turns later finish the work", async () => {
    const store = await storeWith(3);
    const slack = chat();
    const deps = pipelineDeps(store, { chat: slack, clock: countingClock(1) });
    const first = await runPipeline(deps, { budgetMs: 3 });
    expect(first).toMatchObject({ ran: true, more: true });
    expect(first.deliveries).toBeLessThan(3);
    let turns = 1;
    let last = first;
    while (last.more && turns < 100) {
      last = await runPipeline(deps, { budgetMs: 3 });
      turns++;
    }
    expect(last.more).toBe(false);
    expect(await store.pendingDeliveries(10)).toEqual([]);
    expect(await store.openEffects(100)).toEqual([]);
    // Each of the three incidents: its summary, the announcement and the pending status-page update for review.
    expect(slack.posts).toBe(3 * 3);
    expect((await store.listIncidents()).every((i) => i.channel !== null)).toBe(true);
  });

  it("stops as at its budget when the host wants its thread back, and still gets through the work", async () => {
    const store = await storeWith(3);
    const slack = chat();
    const deps = pipelineDeps(store, { chat: slack, clock: countingClock(1) });
    // A long budget, but requests are arriving: one delivery a run. Its incident is a P1, so its
    // actions still go on (up to the urgent extension), as they would past the budget.
    const first = await runPipeline(deps, { budgetMs: 60_000, yieldNow: () => true });
    expect(first).toMatchObject({ ran: true, deliveries: 1, more: true });
    expect(first.effects).toBeGreaterThan(1);
    let turns = 1;
    let last = first;
    while (last.more && turns < 100) {
      last = await runPipeline(deps, { budgetMs: 60_000, yieldNow: () => true });
      turns++;
    }
    expect(last.more).toBe(false);
    expect(turns).toBeGreaterThan(3);
    expect(slack.posts).toBe(3 * 3);
    // Left alone, the same work takes one run.
    const again = await storeWith(3);
    const quiet = await runPipeline({ ...deps, store: again, chat: createChatRouter([chat()]) }, { budgetMs: 60_000, yieldNow: () => false });
    expect(quiet).toMatchObject({ deliveries: 3, more: false });
  });

  it("gives the host a turn between two deliveries and before every action", async () => {
    const store = await storeWith(3);
    const deps = pipelineDeps(store, { clock: countingClock(1) });
    let turns = 0;
    const run = await runPipeline(deps, { pause: async () => void turns++ });
    expect(run).toMatchObject({ deliveries: 3, more: false });
    expect(run.effects).toBeGreaterThan(0);
    expect(turns).toBeGreaterThanOrEqual(run.deliveries + run.effects);
  });

  it("gives effects their turn in a flood of new P1 pages: every run announces, not only the last", async () => {
    const store = await storeWith(20, { urgency: 0 });
    const slack = chat();
    const deps = pipelineDeps(store, { chat: slack, clock: countingClock(1) });
    // A short run with the urgent extension on: new P1 deliveries once took all of it, effects none.
    // Past their half, two more may still go first; not twenty.
    const first = await runPipeline(deps, { budgetMs: 4, urgentExtraMs: 250 });
    expect(first.deliveries).toBeLessThan(20);
    expect(first.effects).toBeGreaterThan(0);
    expect(slack.posts).toBeGreaterThan(0);
  });

  it("returns when every open effect waits for a retry, instead of spinning", async () => {
    const store = await storeWith(3);
    const deps = pipelineDeps(store, { chat: chat(true), clock: countingClock(0) });
    const run = await runPipeline(deps);
    expect(run).toMatchObject({ ran: true, more: false, deliveries: 3, effects: 0 });
    expect((await store.openEffects(100)).map((e) => [e.payload.kind, e.status, e.attempts])).toEqual(
      Array.from({ length: 3 }, () => [
        ["create_channel", "pending", 1],
        ["post_message", "pending", 0],
        // The users' announcement needs no room: tried on its own, and failed too (the chat platform is down).
        ["post_message", "pending", 1],
        ["status_draft", "pending", 0],
        // The new room's topic, set by Herald without a rule.
        ["set_topic", "pending", 0],
      ]).flat(),
    );
  });

  it("starts the lanes that begin at once with the read that finds them, as many as the invocation's queries let run together", async () => {
    const store = await storeWith(3);
    const started: string[] = [];
    const watched = new Proxy(store, {
      get: (target, name, receiver) =>
        name === "commitProcessed"
          ? async (...args: Parameters<Store["commitProcessed"]>) => {
              const due = await target.commitProcessed(...args);
              started.push(...(due ?? []).filter((e) => e.startedWithRead).map((e) => e.key));
              return due;
            }
          : Reflect.get(target, name, receiver),
    });
    // 50 queries: three effects' worth (12 each) beside the last commit's and the run's end (see
    // query-budget.ts); the three incidents have six lanes between them.
    const run = await runPipeline(pipelineDeps(watched), { queries: { used: () => 0, limit: 50 } });
    expect(run).toMatchObject({ deliveries: 3, more: false });
    expect(started).toHaveLength(3);
    // Each made once, counted once: started with the read, not again before its call.
    const effects = (await Promise.all((await store.listIncidents()).map((i) => store.effectsFor(i.id)))).flat();
    expect(effects.filter((e) => started.includes(e.key)).map((e) => [e.status, e.attempts])).toEqual([["done", 1], ["done", 1], ["done", 1]]);
    expect((await store.openEffects(100)).filter((e) => e.status === "in_flight")).toEqual([]);
  });

  it("leaves retention to a later run when the timers left too few of the invocation's queries", async () => {
    const store = await harness.freshStore();
    const pruned: string[] = [];
    const watched = new Proxy(store, {
      get: (target, name, receiver) =>
        name === "prune" ? (...args: Parameters<Store["prune"]>) => (pruned.push(args[0]), target.prune(...args)) : Reflect.get(target, name, receiver),
    });
    const deps = pipelineDeps(watched);
    await runPipeline(deps, { timers: true, queries: { used: () => 40, limit: 50 } });
    expect(pruned).toEqual([]);
    await runPipeline(deps, { timers: true, queries: { used: () => 0, limit: 50 } });
    expect(pruned).toHaveLength(1);
  });

  it("leaves the work to the runner that holds the lease", async () => {
    const store = await storeWith(1);
    await store.acquireLease("pipeline", "someone-else", new Date().toISOString(), new Date(Date.now() + 60_000).toISOString());
    const deps = pipelineDeps(store);
    expect(await runPipeline(deps)).toEqual({ ran: false, deliveries: 0, effects: 0, more: false });
    expect(await store.pendingDeliveries(10)).toHaveLength(1);
  });

  it("takes on a delivery stored while it ran, whose own run found the lease taken, before giving the lease up", async () => {
    // A Worker without a Queue: each request's run goes in its own waitUntil. The second page comes
    // while the first run works; its run finds the lease taken and leaves. Without a last look, the
    // second page would wait for the next request or the minute's cron.
    const store = await storeWith(1);
    const second = JSON.parse(deliveries["zulip_acknowledged_v3.json"]!);
    second.event.data.id = "P0";
    const room = chat();
    let racing: Promise<unknown> | null = null;
    // The page comes as the run makes its last post (of the summary, the announcement and the draft's).
    const slow = { ...room, async postMessage(message: Parameters<ChatAdapter["postMessage"]>[0]) {
      if (room.posts === 2) racing ??= (async () => {
        await store.recordDelivery({ id: "pagerduty:ACK", source: "pagerduty", webhookId: null, receivedAt: new Date().toISOString(), body: JSON.stringify(second) });
        return runPipeline(pipelineDeps(store));
      })();
      await racing;
      return room.postMessage(message);
    } };
    const run = await runPipeline(pipelineDeps(store, { chat: slow }));
    expect(await racing).toMatchObject({ ran: false });
    expect(run).toMatchObject({ ran: true, deliveries: 2, more: false });
    expect(await store.pendingDeliveries(10)).toEqual([]);
    expect((await store.getIncident("P0"))?.status).toBe("acknowledged");
    // The lease was given up: the next run takes it.
    expect(await runPipeline(pipelineDeps(store))).toMatchObject({ ran: true, deliveries: 0 });
  });

  it("renews its lease between turns once half of it has gone, and stops when another runner took it meanwhile", async () => {
    /**
     * The store, counting the run's turns (each reads the next page of deliveries: the first with the
     * lease, the others with the due effects), its last looks (which give the lease up) and the lease
     * taken and renewed.
     */
    const counted = async (intruder?: { afterRenewals: number; at: () => Date }) => {
      const store = await storeWith(3);
      const seen = { turns: 0, lastLooks: 0, leases: 0 };
      const withPending = store.acquireLeaseWithPending.bind(store);
      const pendingAndDue = store.pendingAndDue.bind(store);
      const acquire = store.acquireLease.bind(store);
      store.acquireLeaseWithPending = (...args) => (seen.turns++, seen.leases++, withPending(...args));
      store.pendingAndDue = (...args) => (args[2] ? seen.lastLooks++ : seen.turns++, pendingAndDue(...args));
      store.acquireLease = async (name, holder, now, until) => {
        // Another runner, after this one's lease ran out (as if this run had been held up past it).
        if (intruder && seen.leases === intruder.afterRenewals) {
          const later = intruder.at();
          await acquire(name, "intruder", later.toISOString(), new Date(later.getTime() + 60_000).toISOString());
        }
        seen.leases++;
        return acquire(name, holder, now, until);
      };
      return { store, seen };
    };
    
    // Quick turns: the lease taken once holds the whole run (each new room's posts need a turn of their own).
    const quick = await counted();
    expect(await runPipeline(pipelineDeps(quick.store, { clock: countingClock(1) }))).toMatchObject({ deliveries: 3, more: false });
    expect(quick.seen.turns).toBeGreaterThan(1);
    expect(quick.seen.leases).toBe(1);
    expect(quick.seen.lastLooks).toBe(1);

    // A clock that moves 5 s at every look: half the lease has gone by the end of each turn.
    const slow = await counted();
    expect(await runPipeline(pipelineDeps(slow.store, { clock: countingClock(5_000) }), { budgetMs: 3_600_000 })).toMatchObject({ deliveries: 3, more: false });
    expect(slow.seen.turns).toBeGreaterThan(1);
    expect(slow.seen.leases).toBe(slow.seen.turns);
    expect(slow.seen.lastLooks).toBe(1);

    // Taken by another runner before the first renewal: the run stops there and leaves the rest.
    const clock = countingClock(5_000);
    const lost = await counted({ afterRenewals: 1, at: () => new Date(clock.now().getTime() + 3_600_000) });
    const run = await runPipeline(pipelineDeps(lost.store, { clock }), { budgetMs: 3_600_000 });
    expect(run.ran).toBe(true);
    expect(lost.seen.turns).toBe(1);
    expect(lost.seen.leases).toBe(2);
    expect(await lost.store.openEffects(100)).not.toEqual([]);
  });

  it("marks a delivery that cannot be processed as handled and goes on", async () => {
    const store = await harness.freshStore();
    await store.recordDelivery({ id: "pagerduty:bad", source: "pagerduty", webhookId: null, receivedAt: "2026-11-27T09:00:00.000Z", body: "{" });
    // The next delivery is processed all the same.
    await store.recordDelivery({ id: "pagerduty:good", source: "pagerduty", webhookId: null, receivedAt: "2026-11-27T09:00:01.000Z", body: deliveries["zulip_triggered_v3.json"]! });
    const deps = pipelineDeps(store);
    const logged: string[] = [];
    expect(await runPipeline({ ...deps, log: (line: string) => logged.push(line) })).toMatchObject({ ran: true, deliveries: 2 });
    expect(await store.pendingDeliveries(10)).toEqual([]);
    expect((await store.listIncidents()).map((i) => i.pagerdutyId)).toEqual(["PFQZPSY"]);
    expect((await store.failedDeliveries({ limit: 10 })).items).toEqual([
      { id: "pagerduty:bad", source: "pagerduty", receivedAt: "2026-11-27T09:00:00.000Z", processedAt: expect.any(String), error: "body is not valid JSON" },
    ]);
    expect(logged).toEqual(["delivery pagerduty:bad (pagerduty) failed and is kept aside: body is not valid JSON"]);
  });

  it("puts nothing of a delivery that fails halfway on the record", async () => {
    const store = await harness.freshStore();
    const good = readPagerDutyDelivery(deliveries["zulip_triggered_v3.json"]!);
    // A source whose second event names no incident: the first must not be committed without it.
    const halfway = (): IncidentEvent[] => [...good, { ...good[0]!, id: "pagerduty:second", pagerdutyIncidentId: null, incidentId: undefined } as IncidentEvent];
    await store.recordDelivery({ id: "odd:1", source: "odd", webhookId: null, receivedAt: "2026-11-27T09:00:00.000Z", body: "{}" });
    const deps = pipelineDeps(store, { sources: { odd: halfway } });
    await runPipeline(deps);
    expect(await store.listIncidents()).toEqual([]);
    expect(await store.openEffects(10)).toEqual([]);
    expect((await store.failedDeliveries({ limit: 10 })).items.map((d) => [d.id, d.error])).toEqual([["odd:1", "incident.triggered names no incident"]]);
  });

  it("moves an incident's queued work ahead when PagerDuty raises it to P1, and asks no such move for a new incident or one P1 already", async () => {
    const store = await harness.freshStore();
    const page = (kind: string, id: string, n: number, priority?: string) => {
      const body = JSON.parse(deliveries[`zulip_${kind}_v3.json`]!);
      body.event.id = `E-${kind}-${id}`;
      body.event.data.id = id;
      if (priority) body.event.data.priority = { id: `P-${priority}`, type: "priority_reference", summary: priority };
      return store.recordDelivery({ id: `pagerduty:${body.event.id}`, source: "pagerduty", webhookId: null, receivedAt: `2026-11-27T09:00:0${n}.000Z`, body: JSON.stringify(body) });
    };
    // What each delivery's commit was told needs no moving ahead.
    const told = new Map<string, string[] | undefined>();
    const watched = Object.create(store) as typeof store;
    watched.commitProcessed = async (result) => {
      told.set(result.deliveryId, result.aheadAlready);
      return store.commitProcessed(result);
    };
    // Two P3 incidents, whose rooms cannot be made yet (the chat platform is down): their work waits.
    await page("triggered", "PLOW", 0, "P3");
    await page("triggered", "POTHER", 1, "P3");
    await runPipeline(pipelineDeps(watched, { chat: chat(true) }));
    const low = (await store.getIncident("PLOW"))!;
    const other = (await store.getIncident("POTHER"))!;
    expect((await store.openEffects(1)).map((e) => e.incidentId)).toEqual([low.id]);
    expect([told.get("pagerduty:E-triggered-PLOW"), told.get("pagerduty:E-triggered-POTHER")]).toEqual([[low.id], [other.id]]);
    // The other is raised to P1: its queued work goes ahead of the first's.
    await page("priority_updated", "POTHER", 2, "P1");
    await runPipeline(pipelineDeps(watched, { chat: chat(true) }));
    expect(told.get("pagerduty:E-priority_updated-POTHER")).toEqual([]);
    expect((await store.openEffects(1)).map((e) => e.incidentId)).toEqual([other.id]);
    // Acknowledged as a P1 already: nothing to move.
    await page("acknowledged", "POTHER", 3);
    await runPipeline(pipelineDeps(watched, { chat: chat(true) }));
    expect(told.get("pagerduty:E-acknowledged-POTHER")).toEqual([other.id]);
  });

  it("tells Herald's own PagerDuty notes coming back by what its page of deliveries read, asking only for a delivery stored without its note", async () => {
    const store = await storeWith(1);
    await runPipeline(pipelineDeps(store));
    const incident = (await store.getIncident("P0"))!;
    await store.rememberExternal("pagerduty_note", "PNOTE-OURS", "2026-11-27T09:01:00.000Z");
    const note = (noteId: string, n: number, stored: { note?: string } = { note: noteId }) => {
      const body = JSON.parse(deliveries["zulip_annotated_v3.json"]!);
      body.event.id = `E-NOTE-${n}`;
      body.event.data.id = noteId;
      body.event.data.incident.id = "P0";
      body.event.data.content = `note ${noteId}`;
      return store.recordDelivery({ id: `pagerduty:E-NOTE-${n}`, source: "pagerduty", webhookId: null, receivedAt: `2026-11-27T09:02:0${n}.000Z`, body: JSON.stringify(body), subject: "P0", ...stored });
    };
    const asked: string[] = [];
    const watched = Object.create(store) as typeof store;
    watched.isKnownExternal = async (kind, ref) => (asked.push(ref), store.isKnownExternal(kind, ref));
    await note("PNOTE-OURS", 1);
    await note("PNOTE-THEIRS", 2);
    // Stored before deliveries kept their note (or by a route that does not say it): asked.
    await note("PNOTE-OURS", 3, {});
    await runPipeline(pipelineDeps(watched));
    expect(asked).toEqual(["PNOTE-OURS"]);
    const shown = (await store.timeline(incident.id)).filter((e) => e.kind === "incident.annotated").map((e) => e.text);
    expect(shown).toEqual(["note PNOTE-THEIRS"]);
  });

  it("keeps aside a delivery whose changes the store refuses, instead of retrying it ahead of everything forever", async () => {
    const store = await storeWith(2);
    // The store refuses the first delivery's changes every time (a value too large for D1, say).
    const refusing = Object.create(store) as typeof store;
    refusing.commitProcessed = async (result) => {
      if (result.deliveryId === "pagerduty:E0" && !result.error) throw new Error("string or blob too big");
      return store.commitProcessed(result);
    };
    const deps = pipelineDeps(refusing);
    expect(await runPipeline(deps)).toMatchObject({ ran: true, deliveries: 2 });
    expect(await store.pendingDeliveries(10)).toEqual([]);
    expect((await store.failedDeliveries({ limit: 10 })).items.map((d) => [d.id, d.error])).toEqual([["pagerduty:E0", "the store refused its changes: string or blob too big"]]);
    expect((await store.listIncidents()).map((i) => i.pagerdutyId)).toEqual(["P1"]);
  });
});
