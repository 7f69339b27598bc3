/** Minutes from the page to its resolution. */
export const SAMPLE_MINUTES = 37;

/**
 * A sample PagerDuty incident lifecycle (triggered P1 → acknowledged → note → resolved) in the V3
 * webhook shape, with fresh ids each call so every demo run is a new incident.
 */
export function sampleLifecycle(start = new Date()): { eventType: string; body: string }[] {
  const suffix = crypto.randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase();
  const incidentId = `Q${suffix}`;
  const number = Math.floor(start.getTime() / 1000) % 100_000;
  const agent = {
    html_url: "https://example.pagerduty.com/users/PDEMO01",
    id: "PDEMO01",
    self: "https://api.pagerduty.com/users/PDEMO01",
    summary: "Demo Responder",
    type: "user_reference",
  };
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
  const incident = (status: string) => ({
    id: incidentId,
    type: "incident",
    self: `https://api.pagerduty.com/incidents/${incidentId}`,
    html_url: `https://example.pagerduty.com/incidents/${incidentId}`,
    number,
    status,
    title: "VPC peering to the shared services account is down",
    service: {
      html_url: "https://example.pagerduty.com/services/PNETW01",
      id: "PNETW01",
      self: "https://api.pagerduty.com/services/PNETW01",
      summary: "Networking - Modernisation Platform",
      type: "service_reference",
    },
    assignees: [agent],
    priority: {
      html_url: "https://example.pagerduty.com/account/incident_priorities",
      id: "PPRIO01",
      self: "https://api.pagerduty.com/priorities/PPRIO01",
      summary: "P1",
      type: "priority_reference",
    },
    urgency: "high",
    conference_bridge: null,
    resolve_reason: null,
  });
  const envelope = (eventType: string, minutes: number, data: unknown) => ({
    eventType,
    body: JSON.stringify({
      event: {
        id: `01DEMO${suffix}${String(minutes).padStart(4, "0")}`,
        event_type: eventType,
        resource_type: "incident",
        occurred_at: at(minutes),
        agent,
        client: null,
        data,
      },
    }),
  });
  return [
    envelope("incident.triggered", 0, incident("triggered")),
    envelope("incident.acknowledged", 4, incident("acknowledged")),
    envelope("incident.annotated", 9, {
      incident: {
        id: incidentId,
        type: "incident_reference",
        self: `https://api.pagerduty.com/incidents/${incidentId}`,
        html_url: `https://example.pagerduty.com/incidents/${incidentId}`,
        summary: "VPC peering to the shared services account is down",
      },
      id: `N${suffix}`,
      content: "decision: roll back this morning's route table change",
      trimmed: false,
      type: "incident_note",
    }),
    envelope("incident.resolved", SAMPLE_MINUTES, incident("resolved")),
  ];
}
