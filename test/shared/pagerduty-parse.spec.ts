import { describe, expect, it } from "vitest";
import { MalformedBodyError } from "../../src/errors.js";
import { toIncidentEvents } from "../../src/pagerduty/normalize.js";
import { parsePagerDutyWebhook } from "../../src/pagerduty/parse.js";
import { deliveries, eventData } from "../support/fixtures.js";

const expectedKinds: Record<string, string> = {
  "docs_incident.priority_updated.json": "incident",
  "go-pagerduty_webhookv3_priority_updated_body.json": "incident",
  "zulip_acknowledged_v3.json": "incident",
  "zulip_annotated_v3.json": "note",
  "zulip_conference_bridge_updated_v3.json": "incident_scoped",
  "zulip_delegated_v3.json": "incident",
  "zulip_escalated_v3.json": "incident",
  "zulip_priority_updated_v3.json": "incident",
  "zulip_reassigned_v3.json": "incident",
  "zulip_reopened_v3.json": "incident",
  "zulip_resolved_v3.json": "incident",
  "zulip_responder_added_v3.json": "incident_scoped",
  "zulip_responder_replied_v3.json": "incident_scoped",
  "zulip_status_update_published_v3.json": "incident_scoped",
  "zulip_triggered_v3.json": "incident",
  "zulip_unacknowledged_v3.json": "incident",
  "zulip_workflow_started_v3.json": "incident_scoped",
};

describe("parsePagerDutyWebhook", () => {
  it("covers every PagerDuty fixture", () => {
    expect(Object.keys(deliveries).sort()).toEqual(Object.keys(expectedKinds).sort());
  });

  for (const [file, body] of Object.entries(deliveries)) {
    it(`parses ${file} and turns it into one incident event`, () => {
      const webhook = parsePagerDutyWebhook(body);
      const raw = JSON.parse(body).event;
      expect(webhook.kind).toBe(expectedKinds[file]);
      expect(webhook.eventType).toBe(raw.event_type);
      expect(webhook.envelope.event.data).toEqual(raw.data);
      const [event, ...rest] = toIncidentEvents(webhook);
      expect(rest).toEqual([]);
      expect(event!.id).toBe(`pagerduty:${raw.id}`);
      expect(event!.type).toBe(raw.event_type);
      expect(event!.pagerdutyIncidentId).toBe(raw.data.type === "incident" ? raw.data.id : raw.data.incident.id);
      expect(event!.author?.name).toBe(raw.agent.summary);
    });
  }

  it("reads the incident's priority, service, assignees and status", () => {
    const [event] = toIncidentEvents(parsePagerDutyWebhook(deliveries["go-pagerduty_webhookv3_priority_updated_body.json"]!));
    expect(event).toMatchObject({
      kind: "incident_changed",
      snapshot: {
        pagerdutyId: "PGR0VU2",
        number: 2,
        title: "A little bump in the road",
        priority: "P1",
        status: "triggered",
        urgency: "high",
        service: { id: "PF9KMXH", name: "API Service" },
        assignees: [{ id: "PTUXL6G", name: "User 123" }],
      },
    });
  });

  it("puts a PagerDuty note on the timeline with its text, and reads a category prefix", () => {
    const [event] = toIncidentEvents(parsePagerDutyWebhook(deliveries["zulip_annotated_v3.json"]!));
    expect(event).toMatchObject({
      kind: "note_added",
      incidentTitle: "Critical: Checkout API High Latency",
      category: "event",
      text: "Running KILL on long-running queries from the reporting-service.",
    });
    const envelope = JSON.parse(deliveries["zulip_annotated_v3.json"]!);
    envelope.event.data.content = "Decision: fail over to eu-west-2";
    const [decision] = toIncidentEvents(parsePagerDutyWebhook(JSON.stringify(envelope)));
    expect(decision).toMatchObject({ category: "decision", text: "fail over to eu-west-2" });
  });

  it("parses the docs' event data for every data type inside an envelope", () => {
    const types: Record<string, string> = {
      "incident.json": "incident.triggered",
      "incident_note.json": "incident.annotated",
      "incident_status_update.json": "incident.status_update_published",
      "incident_responder.json": "incident.responder.added",
      "incident_conference_bridge.json": "incident.conference_bridge.updated",
    };
    for (const [file, eventType] of Object.entries(types)) {
      const body = JSON.stringify({
        event: { id: "E1", event_type: eventType, resource_type: "incident", occurred_at: "2020-10-02T18:45:22.169Z", agent: null, client: null, data: JSON.parse(eventData[file]!) },
      });
      const [event] = toIncidentEvents(parsePagerDutyWebhook(body));
      expect(event!.pagerdutyIncidentId, file).toBe("PGR0VU2");
      expect(event!.author).toBeNull();
    }
  });

  it("acknowledges unknown event types as unsupported instead of refusing them", () => {
    const envelope = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    envelope.event.event_type = "incident.something_new";
    const webhook = parsePagerDutyWebhook(JSON.stringify(envelope));
    expect(webhook.kind).toBe("unsupported");
    expect(toIncidentEvents(webhook)).toEqual([]);
    envelope.event.event_type = "service.updated";
    expect(parsePagerDutyWebhook(JSON.stringify(envelope)).kind).toBe("unsupported");
  });

  it("refuses malformed JSON, a non-V3 body and a known type without its data", () => {
    expect(() => parsePagerDutyWebhook("{not json")).toThrow(MalformedBodyError);
    expect(() => parsePagerDutyWebhook(JSON.stringify({ messages: [] }))).toThrow(/not a PagerDuty V3 webhook: event/);
    const envelope = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    delete envelope.event.data.id;
    expect(() => parsePagerDutyWebhook(JSON.stringify(envelope))).toThrow(/incident.triggered: event.data id/);
  });

  it("refuses an event whose data is not an object, whatever its type", () => {
    for (const data of [null, "incident", 7, [], [{ id: "P1" }]]) {
      for (const eventType of ["incident.triggered", "service.updated"]) {
        const envelope = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
        envelope.event.event_type = eventType;
        envelope.event.data = data;
        expect(() => parsePagerDutyWebhook(JSON.stringify(envelope))).toThrow(/not a PagerDuty V3 webhook: event.data: expected an object/);
      }
    }
  });
});
