import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import heraldYaml from "../../herald.yaml?raw";
import { loadConfig } from "../../src/config/load-config.js";
import type { Incident } from "../../src/domain/incident.js";
import { templates } from "../../src/generated/templates.js";
import { runTimers } from "../../src/pipeline/run-timers.js";
import { createRenderer } from "../../src/render/renderer.js";

const renderer = createRenderer(templates, { timeZone: "Europe/London" });
// Users'-update reminders have their own test; these count check-ins and role reminders only.
const config = { ...loadConfig(heraldYaml, { source: "herald.yaml", env: {}, templateNames: renderer.names }), update_reminder_minutes: {} };
const T0 = Date.parse("2026-11-27T10:00:00.000Z");
const at = (minutes: number) => ({ now: () => new Date(T0 + minutes * 60_000) });

const incident: Incident = {
  id: "inc-1",
  pagerdutyId: null,
  number: null,
  title: "Disk full",
  url: null,
  service: null,
  priority: "P2",
  status: "triggered",
  urgency: null,
  assignees: [],
  triggeredAt: new Date(T0).toISOString(),
  acknowledgedAt: null,
  resolvedAt: null,
  updatedAt: new Date(T0).toISOString(),
  channel: { id: "C1", name: "inc-disk-full" },
  roles: {},
  declaredBy: { id: "U0ADA0001", name: "ada" },
};

async function posts(store: Awaited<ReturnType<typeof harness.freshStore>>) {
  return (await store.effectsFor("inc-1")).map((e) => (e.payload.kind === "post_message" ? [e.payload.template, e.payload.text] : []));
}

describe(`reminders (${harness.runtime})`, () => {
  it("asks the declarer to appoint a lead and scribe once nobody volunteered in time, once", async () => {
    const store = await harness.freshStore();
    await store.saveIncidents([incident], [], incident.updatedAt);
    const deps = (minutes: number) => ({ store, config, renderer, clock: at(minutes) });
    expect(await runTimers(deps(4))).toBe(0);
    expect(await runTimers(deps(5))).toBe(1);
    expect(await runTimers(deps(6))).toBe(0);
    expect(await posts(store)).toEqual([
      [
        "roles-needed",
        ":raising_hand: This incident still has no Incident Lead and no Scribe after 5 minutes. <@U0ADA0001|ada>, please appoint someone: `/incident lead @user`, `/incident scribe @user`.",
      ],
    ]);
  });

  it("looks at every open incident, a page at a time, when thousands are open", async () => {
    const store = await harness.freshStore();
    const many = Array.from({ length: 260 }, (_, i) => ({ ...incident, id: `inc-many-${i}`, channel: { id: `C${i}`, name: `inc-${i}` } }));
    await store.saveIncidents(many, [], incident.updatedAt);
    const deps = (minutes: number) => ({ store, config, renderer, clock: at(minutes) });
    expect(await runTimers(deps(5))).toBe(260);
    expect((await store.effectsFor("inc-many-0")).map((e) => e.key)).toEqual(["inc-many-0:roles-needed"]);
    expect((await store.effectsFor("inc-many-259")).map((e) => e.key)).toEqual(["inc-many-259:roles-needed"]);
    expect(await runTimers(deps(6))).toBe(0);
  });

  it("queues only the reminders that fit the invocation's D1 queries, and the next tick the rest, each once", async () => {
    const store = await harness.freshStore();
    const many = Array.from({ length: 60 }, (_, i) => ({ ...incident, id: `inc-due-${i}`, channel: { id: `C${i}`, name: `inc-${i}` } }));
    await store.saveIncidents(many, [], incident.updatedAt);
    // The invocation's queries, counted as D1 would at most: a read, and a statement for each incident and post written.
    let used = 0;
    const counted = Object.assign(Object.create(store) as typeof store, {
      pageIncidents: (...args: Parameters<typeof store.pageIncidents>) => (used++, store.pageIncidents(...args)),
      saveIncidents: (...args: Parameters<typeof store.saveIncidents>) => ((used += args[0].length + args[1].length), store.saveIncidents(...args)),
    });
    const deps = { store: counted, config, renderer, clock: at(5) };
    // 30 of 50 used: 9 left once a turn after the timers and the run's end are kept (11): the page
    // read, then four incidents' writes with their reminder (two statements each).
    used = 30;
    expect(await runTimers(deps, { used: () => used, limit: 50 })).toBe(4);
    expect(used).toBe(39);
    used = 45;
    expect(await runTimers(deps, { used: () => used, limit: 50 })).toBe(0);
    expect(await runTimers(deps)).toBe(56);
    const keys = (await Promise.all(many.map(async (i) => (await store.effectsFor(i.id)).map((e) => e.key)))).flat();
    expect(keys).toEqual(many.map((i) => `${i.id}:roles-needed`));
  });

  it("reminds the channel at the check-in cadence, skipping missed slots, and stops on resolve", async () => {
    const store = await harness.freshStore();
    const withCheckins: Incident = {
      ...incident,
      roles: { lead: { id: "U0ADA0001", name: "ada" }, scribe: { id: "U0GRACE01", name: "grace" } },
      checkin: { everyMinutes: 30, nextAt: new Date(T0 + 30 * 60_000).toISOString() },
    };
    await store.saveIncidents([withCheckins], [], incident.updatedAt);
    const deps = (minutes: number) => ({ store, config, renderer, clock: at(minutes) });
    expect(await runTimers(deps(29))).toBe(0);
    expect(await runTimers(deps(30))).toBe(1);
    expect(await runTimers(deps(31))).toBe(0);
    expect(await runTimers(deps(95))).toBe(1);
    expect((await store.getIncident("inc-1"))!.checkin).toEqual({ everyMinutes: 30, nextAt: new Date(T0 + 120 * 60_000).toISOString() });
    await store.saveIncidents([{ ...(await store.getIncident("inc-1"))!, status: "resolved" }], [], incident.updatedAt);
    expect(await runTimers(deps(121))).toBe(0);
    expect(await posts(store)).toEqual([
      ["checkin-reminder", ":alarm_clock: *Team check-in* (every 30 minutes): where are we, what is next, who needs help? <@U0ADA0001|ada> leads it."],
      ["checkin-reminder", ":alarm_clock: *Team check-in* (every 30 minutes): where are we, what is next, who needs help? <@U0ADA0001|ada> leads it."],
    ]);
  });

  it("reminds a P1/P2 incident's channel that a users' update is due at the priority's cadence, while open", async () => {
    const store = await harness.freshStore();
    const staffed = { ...incident, roles: { lead: { id: "U0ADA0001", name: "ada" }, scribe: { id: "U0GRACE01", name: "grace" } } };
    const p1 = { ...staffed, id: "inc-1", priority: "P1" };
    const p3 = { ...staffed, id: "inc-3", priority: "P3", channel: { id: "C3", name: "inc-p3" } };
    await store.saveIncidents([p1, p3], [], incident.updatedAt);
    const shipped = loadConfig(heraldYaml, { source: "herald.yaml", env: {}, templateNames: renderer.names });
    expect(shipped.update_reminder_minutes).toEqual({ P1: 30, P2: 60 });
    const deps = (minutes: number) => ({ store, config: shipped, renderer, clock: at(minutes) });
    expect(await runTimers(deps(29))).toBe(0);
    expect(await runTimers(deps(30))).toBe(1);
    expect(await runTimers(deps(45))).toBe(0);
    // Asleep for an hour: one reminder for the slots missed, not one each.
    expect(await runTimers(deps(125))).toBe(1);
    await store.saveIncidents([{ ...(await store.getIncident("inc-1"))!, status: "resolved" }], [], incident.updatedAt);
    expect(await runTimers(deps(150))).toBe(0);
    expect(await posts(store)).toEqual([
      [
        "update-due",
        ":mega: *A users' update is due* (P1: every 30 minutes while the incident is open). `/incident announce update` posts the current state; Herald keeps it up to date as the incident changes.",
      ],
      ["update-due", expect.stringMatching(/^:mega: \*A users' update is due\*/)],
    ]);
    expect((await store.effectsFor("inc-3")).length).toBe(0);
  });

  it("reminds the lead the day before the post-mortem, and asks for one an hour after a P1/P2 resolve without it", async () => {
    const store = await harness.freshStore();
    const shipped = loadConfig(heraldYaml, { source: "herald.yaml", env: {}, templateNames: renderer.names });
    const lead = { id: "U0ADA0001", name: "ada" };
    const resolvedAt = new Date(T0 + 120 * 60_000).toISOString();
    const base = { ...incident, priority: "P1", status: "resolved" as const, resolvedAt, roles: { lead, scribe: { id: "U0GRACE01", name: "grace" } } };
    const scheduled: Incident = { ...base, id: "inc-1", postmortemMeeting: { at: new Date(T0 + 3 * 86_400_000).toISOString(), by: lead, leadReminded: false } };
    const unscheduled: Incident = { ...base, id: "inc-2", channel: { id: "C2", name: "inc-2" } };
    const minor: Incident = { ...base, id: "inc-3", priority: "P3", channel: { id: "C3", name: "inc-3" } };
    await store.saveIncidents([scheduled, unscheduled, minor], [], resolvedAt);
    const deps = (minutes: number) => ({ store, config: { ...shipped, update_reminder_minutes: {} }, renderer, clock: at(minutes) });
    expect(await runTimers(deps(150))).toBe(0);
    expect(await runTimers(deps(180))).toBe(1); // an hour after the resolve: inc-2 has no meeting
    expect(await runTimers(deps(240))).toBe(0);
    expect(await runTimers(deps(2 * 1440 - 1))).toBe(0);
    expect(await runTimers(deps(2 * 1440))).toBe(1); // a day before inc-1's meeting
    expect(await runTimers(deps(2 * 1440 + 60))).toBe(0);
    const texts = async (id: string) => (await store.effectsFor(id)).map((e) => (e.payload.kind === "post_message" ? e.payload.text : ""));
    expect(await texts("inc-2")).toEqual([
      ":calendar: This P1 incident is resolved, but no post-mortem meeting is scheduled yet. <@U0ADA0001|ada>, please schedule it: `/incident postmortem schedule <when>`.",
    ]);
    expect(await texts("inc-1")).toEqual([
      ":calendar: <@U0ADA0001|ada>, a reminder: the post-mortem meeting is tomorrow, 30 Nov 2026 10:00 GMT. `/incident postmortem` drafts the document from the record.",
    ]);
    expect(await texts("inc-3")).toEqual([]);
  });
});
