// Real PagerDuty payloads (test/fixtures/SOURCES.md), imported as raw text so their bytes are exact
// in both runtimes.
import docsPriorityUpdated from "../fixtures/pagerduty/docs_incident.priority_updated.json?raw";
import docsSignatureHeader from "../fixtures/pagerduty/docs_signature_header_example.json?raw";
import docsIncident from "../fixtures/pagerduty/docs_event_data/incident.json?raw";
import docsConferenceBridge from "../fixtures/pagerduty/docs_event_data/incident_conference_bridge.json?raw";
import docsNote from "../fixtures/pagerduty/docs_event_data/incident_note.json?raw";
import docsResponder from "../fixtures/pagerduty/docs_event_data/incident_responder.json?raw";
import docsStatusUpdate from "../fixtures/pagerduty/docs_event_data/incident_status_update.json?raw";
import goBody from "../fixtures/pagerduty/go-pagerduty_webhookv3_priority_updated_body.json?raw";
import goVector from "../fixtures/pagerduty/go-pagerduty_webhookv3_signature_vector.json?raw";
import acknowledged from "../fixtures/pagerduty/zulip_acknowledged_v3.json?raw";
import annotated from "../fixtures/pagerduty/zulip_annotated_v3.json?raw";
import conferenceBridge from "../fixtures/pagerduty/zulip_conference_bridge_updated_v3.json?raw";
import delegated from "../fixtures/pagerduty/zulip_delegated_v3.json?raw";
import escalated from "../fixtures/pagerduty/zulip_escalated_v3.json?raw";
import priorityUpdated from "../fixtures/pagerduty/zulip_priority_updated_v3.json?raw";
import reassigned from "../fixtures/pagerduty/zulip_reassigned_v3.json?raw";
import reopened from "../fixtures/pagerduty/zulip_reopened_v3.json?raw";
import resolved from "../fixtures/pagerduty/zulip_resolved_v3.json?raw";
import responderAdded from "../fixtures/pagerduty/zulip_responder_added_v3.json?raw";
import responderReplied from "../fixtures/pagerduty/zulip_responder_replied_v3.json?raw";
import statusUpdatePublished from "../fixtures/pagerduty/zulip_status_update_published_v3.json?raw";
import triggered from "../fixtures/pagerduty/zulip_triggered_v3.json?raw";
import unacknowledged from "../fixtures/pagerduty/zulip_unacknowledged_v3.json?raw";
import workflowStarted from "../fixtures/pagerduty/zulip_workflow_started_v3.json?raw";

/** Full V3 deliveries, by file name. */
export const deliveries: Record<string, string> = {
  "docs_incident.priority_updated.json": docsPriorityUpdated,
  "go-pagerduty_webhookv3_priority_updated_body.json": goBody,
  "zulip_acknowledged_v3.json": acknowledged,
  "zulip_annotated_v3.json": annotated,
  "zulip_conference_bridge_updated_v3.json": conferenceBridge,
  "zulip_delegated_v3.json": delegated,
  "zulip_escalated_v3.json": escalated,
  "zulip_priority_updated_v3.json": priorityUpdated,
  "zulip_reassigned_v3.json": reassigned,
  "zulip_reopened_v3.json": reopened,
  "zulip_resolved_v3.json": resolved,
  "zulip_responder_added_v3.json": responderAdded,
  "zulip_responder_replied_v3.json": responderReplied,
  "zulip_status_update_published_v3.json": statusUpdatePublished,
  "zulip_triggered_v3.json": triggered,
  "zulip_unacknowledged_v3.json": unacknowledged,
  "zulip_workflow_started_v3.json": workflowStarted,
};

/** The docs' `event.data` objects for the types whose data is not the incident. */
export const eventData: Record<string, string> = {
  "incident.json": docsIncident,
  "incident_conference_bridge.json": docsConferenceBridge,
  "incident_note.json": docsNote,
  "incident_responder.json": docsResponder,
  "incident_status_update.json": docsStatusUpdate,
};

export const goPagerDutyVector = { body: goBody, vector: JSON.parse(goVector) as GoVector };
export const docsSignatureHeaderExample = JSON.parse(docsSignatureHeader) as { header_value: string };

interface GoVector {
  secret: string;
  body_sha256: string;
  cases: { name: string; header: string; expected: string }[];
}
