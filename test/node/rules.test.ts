import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { incidentChannelName as filledName } from "../../src/domain/channel-name.js";
import { toChannelName, withSuffix } from "../../src/chat/slack/channel-name.js";
import type { Incident } from "../../src/domain/incident.js";
import type { IncidentEvent } from "../../src/domain/incident-event.js";
import { projectIncident } from "../../src/domain/project-incident.js";
import { evaluateRules } from "../../src/domain/rules.js";
import { RULE_ACTIONS } from "../../src/domain/rule-actions.js";

const templateNames = ["incident-summary", "user-announcement", "resolution-announcement", "role-change", "ticket-escalation", "pagerduty-note", "volunteers-wanted"];

// A small configuration written here, so what the rules do is read off the test, not the shipped file.
const config = loadConfig(
  `
channels: { team: team, ask: ask, update: update }
priorities:
  - { name: P1, description: all down }
  - { name: P2, description: part down }
  - { name: P3, description: users unaffected }
rules:
  - on: incident.triggered
    if: { priority: [P1, P2] }
    do:
      - create_channel
      - invite_assignees
      - post: { to: incident, template: incident-summary, buttons: volunteer }
      - post: { to: update, template: user-announcement }
  - on: incident.triggered
    if: { priority: [P3, none] }
    do:
      - create_channel
      - post: { to: incident, template: incident-summary }
  - on: incident.resolved
    do:
      - post: { to: incident, template: resolution-announcement }
      - status_draft
`,
  { source: "test.yaml", env: {}, templateNames },
);

const snapshot = {
  pagerdutyId: "PD1",
  number: 42,
  title: "VPC peering is down",
  url: null,
  service: { id: "S1", name: "Networking - Modernisation Platform" },
  priority: "P1" as string | null,
  status: "triggered" as const,
  urgency: "high",
  assignees: [{ id: "U1", name: "Ada" }],
  createdAt: "2026-11-27T09:59:00.000Z",
};

function changed(type: string, overrides: Partial<typeof snapshot> | Record<string, unknown> = {}, at = "2026-11-27T10:00:00.000Z"): IncidentEvent {
  return {
    kind: "incident_changed",
    id: `pagerduty:${type}`,
    type,
    occurredAt: at,
    author: { id: "U1", name: "Ada" },
    source: "pagerduty",
    pagerdutyIncidentId: "PD1",
    incidentTitle: snapshot.title,
    snapshot: { ...snapshot, ...overrides } as typeof snapshot,
  };
}

function project(events: IncidentEvent[]): Incident {
  let incident: Incident | null = null;
  for (const event of events) incident = projectIncident(incident, event, "inc-1").incident;
  return incident!;
}

describe("evaluateRules", () => {
  it("runs the actions of every rule the event and the incident match, in order, each with its own key", () => {
    const event = changed("incident.triggered", { priority: "P2" });
    expect(evaluateRules(event, project([event]), config)).toEqual([
      { kind: "create_channel", key: "pagerduty:incident.triggered:rule0:do0" },
      { kind: "invite_assignees", key: "pagerduty:incident.triggered:rule0:do1", pagerdutyUserIds: ["U1"] },
      { kind: "post", key: "pagerduty:incident.triggered:rule0:do2", to: "incident", template: "incident-summary", buttons: "volunteer" },
      { kind: "post", key: "pagerduty:incident.triggered:rule0:do3", to: "update", template: "user-announcement" },
    ]);
  });

  it("matches `none` for an incident without a priority, and leaves out actions that do not apply", () => {
    for (const priority of ["P3", null]) {
      const event = changed("incident.triggered", { priority, assignees: [] });
      expect(evaluateRules(event, project([event]), config).map((a) => a.key)).toEqual(["pagerduty:incident.triggered:rule1:do0", "pagerduty:incident.triggered:rule1:do1"]);
    }
    const noAssignees = changed("incident.triggered", { assignees: [] });
    expect(evaluateRules(noAssignees, project([noAssignees]), config).map((a) => a.kind)).toEqual(["create_channel", "post", "post"]);
  });

  it("gives an action its details from the event: the draft a resolve asks for", () => {
    const resolved = changed("incident.resolved", { priority: "P2", status: "resolved" });
    expect(evaluateRules(resolved, project([changed("incident.triggered"), resolved]), config)).toEqual([
      { kind: "post", key: "pagerduty:incident.resolved:rule2:do0", to: "incident", template: "resolution-announcement" },
      { kind: "status_draft", key: "pagerduty:incident.resolved:rule2:do1", draft: "resolution" },
    ]);
  });

  it("does nothing on events no rule names, and never asks for a second channel", () => {
    const ack = changed("incident.acknowledged", { status: "acknowledged" });
    expect(evaluateRules(ack, project([ack]), config)).toEqual([]);
    const triggered = changed("incident.triggered");
    const withChannel = { ...project([triggered]), channel: { id: "C1", name: "inc-42" } };
    expect(evaluateRules(triggered, withChannel, config).map((a) => a.kind)).toEqual(["invite_assignees", "post", "post"]);
  });
});

describe("PagerDuty's notes and resolves from chat", () => {
  it("apply to an incident in PagerDuty, and to one declared in chat that is still being opened there, whoever declared it", () => {
    const note = { kind: "note_added" } as IncidentEvent;
    const resolve = { kind: "resolution_recorded" } as IncidentEvent;
    const alarm = project([changed("incident.triggered")]);
    const opening: Incident = { ...alarm, pagerdutyId: null, platform: "console", declaredBy: null };
    const { platform: _platform, ...nowhere } = opening;
    for (const event of [note, resolve]) {
      const applies = (incident: Incident) => RULE_ACTIONS[event.kind === "note_added" ? "add_pagerduty_note" : "resolve_in_pagerduty"](event, incident) !== null;
      expect([applies(alarm), applies(opening), applies(nowhere)]).toEqual([true, true, false]);
    }
  });
});

describe("projectIncident", () => {
  it("keeps times of acknowledgement and resolution, and clears resolution on reopen", () => {
    const incident = project([
      changed("incident.triggered", {}, "2026-11-27T10:00:00.000Z"),
      changed("incident.acknowledged", { status: "acknowledged" }, "2026-11-27T10:04:00.000Z"),
      changed("incident.priority_updated", { status: "acknowledged", priority: "P2" }, "2026-11-27T10:05:00.000Z"),
      changed("incident.resolved", { status: "resolved", priority: "P2" }, "2026-11-27T10:30:00.000Z"),
    ]);
    expect(incident).toMatchObject({
      status: "resolved",
      priority: "P2",
      triggeredAt: "2026-11-27T09:59:00.000Z",
      acknowledgedAt: "2026-11-27T10:04:00.000Z",
      resolvedAt: "2026-11-27T10:30:00.000Z",
    });
    const reopened = projectIncident(incident, changed("incident.reopened", { status: "triggered" }, "2026-11-27T11:00:00.000Z"), "x");
    expect(reopened.incident).toMatchObject({ status: "triggered", resolvedAt: null, id: "inc-1" });
    expect(reopened.entry.text).toBe("Reopened by Ada");
  });

  it("keeps what chat said when PagerDuty's echo leaves it out; a real change in PagerDuty changes it", () => {
    const declared: IncidentEvent = {
      kind: "incident_declared",
      id: "slack:T1",
      type: "incident.triggered",
      occurredAt: "2026-11-27T10:00:00.000Z",
      author: { id: "U1", name: "Ada" },
      source: "slack",
      pagerdutyIncidentId: null,
      incidentId: "declared-slack-T1",
      incidentTitle: "VPC peering is down",
      title: "VPC peering is down",
      priority: "P2",
      service: { id: "networking", name: "Networking - Modernisation Platform" },
      description: null,
      notify: [],
    };
    const echo = changed("incident.acknowledged", { status: "acknowledged", priority: null, service: { id: "PNETWRK", name: "Networking (PagerDuty)" } });
    const acknowledged = project([declared, echo]);
    expect(acknowledged).toMatchObject({ status: "acknowledged", priority: "P2", service: { id: "networking" } });
    const raised = projectIncident(acknowledged, changed("incident.priority_updated", { status: "acknowledged", priority: "P1" }), "x");
    expect(raised.incident.priority).toBe("P1");
    expect(raised.entry.text).toBe("Priority changed from P2 to P1 by Ada");
    const moved = projectIncident(acknowledged, changed("incident.service_updated", { status: "acknowledged", priority: null, service: { id: "POPS", name: "Operations" } }), "x");
    expect(moved.incident).toMatchObject({ priority: "P2", service: { id: "POPS", name: "Operations" } });
    expect(moved.entry.text).toBe("Service changed to Operations by Ada");
    // A priority removed in PagerDuty is removed here too.
    expect(projectIncident(acknowledged, changed("incident.priority_updated", { priority: null }), "x").incident.priority).toBeNull();
  });

  it("describes each change on the timeline", () => {
    const start = project([changed("incident.triggered")]);
    const text = (event: IncidentEvent) => projectIncident(start, event, "x").entry.text;
    expect(text(changed("incident.priority_updated", { priority: "P2" }))).toBe("Priority changed from P1 to P2 by Ada");
    expect(text(changed("incident.reassigned", { assignees: [{ id: "U2", name: "Grace" }] }))).toBe("Reassigned to Grace by Ada");
    expect(text(changed("incident.escalated", { assignees: [] }))).toBe("Escalated to nobody");
    expect(text(changed("incident.unacknowledged"))).toBe("Unacknowledged: the acknowledgement timed out");
  });
});

describe("incident channel names", () => {
  const incidentChannelName = (pattern: string, incident: Incident) => toChannelName(filledName(pattern, incident));
  const incident = project([changed("incident.triggered", { title: "Ünïcode & <Spaces>  -- and a very long title that goes on and on and on beyond what Slack allows" })]);

  it("follow Slack's rules: lowercase letters, digits, - and _, at most 80 characters", () => {
    const name = incidentChannelName("inc-{number}-{title}", incident);
    expect(name).toMatch(/^[a-z0-9_-]{1,80}$/);
    expect(name.startsWith("inc-42-unicode-spaces-and-a-very-long-title")).toBe(true);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(incidentChannelName("{date}_{priority}_{service}", incident)).toBe("2026-11-27_p1_networking-modernisation-platform");
    expect(toChannelName("***")).toBe("incident");
  });

  it("take a suffix that still fits when the name is taken", () => {
    const long = "a".repeat(80);
    expect(withSuffix(long, 1)).toBe(long);
    expect(withSuffix(long, 2)).toBe(`${"a".repeat(78)}-2`);
    expect(withSuffix("inc-1", 12)).toBe("inc-1-12");
  });
});
