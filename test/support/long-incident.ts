import type { Incident, TimelineCategory, TimelineEntry } from "../../src/domain/incident.js";

const CATEGORIES: TimelineCategory[] = ["event", "discussion", "decision", "action", "result"];
const START = Date.parse("2026-03-28T22:15:00Z");

/**
 * A P1 incident of two days with 2,000 timeline entries 84 s apart (across the clocks going forward
 * in Europe/London), acknowledged after 7 min 30 s and resolved at 20:45 GMT on the 30th. Used by the
 * post-mortem test and the benchmark.
 */
export function longIncident(): { incident: Incident; timeline: TimelineEntry[] } {
  const at = (ms: number) => new Date(ms).toISOString();
  const incident: Incident = {
    id: "long-incident",
    pagerdutyId: "PLONG01",
    number: 4242,
    title: "Checkout latency over 5 s",
    url: "https://example.pagerduty.com/incidents/PLONG01",
    service: { id: "operations", name: "Operations - Modernisation Platform" },
    priority: "P1",
    status: "resolved",
    urgency: "high",
    assignees: [{ id: "PADA", name: "ada" }],
    triggeredAt: at(START),
    acknowledgedAt: at(START + 450_000),
    resolvedAt: "2026-03-30T20:45:00.000Z",
    updatedAt: "2026-03-30T20:45:00.000Z",
    channel: { id: "C0LONG0001", name: "inc-4242-checkout-latency-over-5-s" },
    roles: { lead: { id: "U0ADA0001", name: "ada" }, scribe: { id: "U0GRACE01", name: "grace" } },
    resolution: { note: "scaled the connection pool back down", temporary: false, by: { id: "U0ADA0001", name: "ada" } },
    followUps: [],
  };
  const timeline: TimelineEntry[] = Array.from({ length: 2000 }, (_, n) => ({
    id: `entry-${n}`,
    incidentId: incident.id,
    at: at(START + n * 84_000),
    author: n === 0 ? null : { id: n % 2 ? "U0ADA0001" : "U0GRACE01", name: n % 2 ? "ada" : "grace" },
    source: n === 0 ? "pagerduty" : "slack",
    category: CATEGORIES[n % 5]!,
    kind: n === 0 ? "incident.triggered" : "note.added",
    text: n === 0 ? "Triggered: checkout latency over 5 s" : n === 1 ? "entry 1: is it `db-1`? | see *runbook*" : `entry ${n}`,
  }));
  return { incident, timeline };
}
