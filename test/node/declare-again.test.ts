import { describe, expect, it } from "vitest";
import type { Incident } from "../../src/domain/incident.js";
import { saidAgain, type SaidBy } from "../../src/chat/said-again.js";
import { createSqliteStore } from "../../src/store/sqlite-store.js";

const ADA = { id: "U0ADA0001", name: "ada" };
const TEAM = "C0TEAM0001";

function incident(id: string, triggeredAt: string, changes: Partial<Incident> = {}): Incident {
  return {
    id,
    pagerdutyId: null,
    number: 1,
    title: "VPC peering is down",
    url: null,
    service: { id: "networking", name: "Networking" },
    priority: "P2",
    status: "triggered",
    urgency: null,
    assignees: [],
    triggeredAt,
    acknowledgedAt: null,
    resolvedAt: null,
    updatedAt: triggeredAt,
    channel: { id: "C0INC00001", name: "inc-1-vpc-peering-is-down" },
    platform: "slack",
    roles: {},
    declaredBy: ADA,
    declaredIn: TEAM,
    ...changes,
  };
}

const declare = { name: "declare", quick: { priority: "P2", service: "networking", title: "vpc  Peering is down " } } as const;
const by = (at: string, changes: Partial<SaidBy> = {}): SaidBy => ({ platform: "slack", channel: TEAM, actorId: ADA.id, at, ...changes });

async function storeWith(...incidents: Incident[]) {
  const store = createSqliteStore(":memory:", "migrations");
  await store.saveIncidents(incidents, [], incidents[0]!.triggeredAt);
  return store;
}

describe("declare said again", () => {
  it("is the same person's same declare in the same channel within ten minutes of the first, while it is open", async () => {
    const store = await storeWith(incident("declared-1", "2026-12-07T10:00:00.000Z"));
    expect(await saidAgain(declare, by("2026-12-07T10:04:00.000Z"), store)).toBe(
      ":rotating_light: You declared *VPC peering is down* 4 minutes ago, and it is still open: its channel is <#C0INC00001|inc-1-vpc-peering-is-down>. Nothing more is declared. To declare another incident, give it another title.",
    );
    // Over ten minutes after; another person, channel or platform; the request's own incident: new.
    expect(await saidAgain(declare, by("2026-12-07T10:10:01.000Z"), store)).toBeNull();
    expect(await saidAgain(declare, by("2026-12-07T10:04:00.000Z", { actorId: "U0GRACE01" }), store)).toBeNull();
    expect(await saidAgain(declare, by("2026-12-07T10:04:00.000Z", { channel: "C0OTHER001" }), store)).toBeNull();
    expect(await saidAgain(declare, by("2026-12-07T10:04:00.000Z", { platform: "teams" }), store)).toBeNull();
    expect(await saidAgain(declare, by("2026-12-07T10:00:00.000Z", { ownIncidentId: "declared-1" }), store)).toBeNull();
    // Another priority, service or title: new.
    for (const quick of [
      { ...declare.quick, priority: "P1" },
      { ...declare.quick, service: "operations" },
      { ...declare.quick, title: "VPC peering is down again" },
    ]) {
      expect(await saidAgain({ name: "declare", quick }, by("2026-12-07T10:04:00.000Z"), store)).toBeNull();
    }
    // The form without details, and other commands, are never said again this way.
    expect(await saidAgain({ name: "declare", quick: null }, by("2026-12-07T10:04:00.000Z"), store)).toBeNull();
  });

  it("is not the same once the first is resolved", async () => {
    const store = await storeWith(incident("declared-1", "2026-12-07T10:00:00.000Z", { status: "resolved", resolvedAt: "2026-12-07T10:03:00.000Z" }));
    expect(await saidAgain(declare, by("2026-12-07T10:04:00.000Z"), store)).toBeNull();
  });

  it("says the channel is on its way when it is not made yet, and finds the first behind pages that came since", async () => {
    const pages = Array.from({ length: 250 }, (_, n) =>
      incident(`page-${n}`, new Date(Date.parse("2026-12-07T10:01:00.000Z") + n * 1000).toISOString(), { declaredBy: null, declaredIn: null, pagerdutyId: `P${n}` }),
    );
    const store = await storeWith(incident("declared-1", "2026-12-07T10:00:00.000Z", { channel: null }), ...pages);
    expect(await saidAgain(declare, by("2026-12-07T10:06:00.000Z"), store)).toBe(
      ":rotating_light: You declared *VPC peering is down* 6 minutes ago, and it is still open: Herald is opening its channel. Nothing more is declared. To declare another incident, give it another title.",
    );
  });
});
