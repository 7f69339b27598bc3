import type { Config } from "./config/schema.js";
import { projectIncident } from "./domain/project-incident.js";
import { evaluateRules } from "./domain/rules.js";
import { readPagerDutyDelivery } from "./pagerduty/read-delivery.js";
import { eventView, incidentView } from "./render/incident-view.js";
import type { Renderer } from "./render/renderer.js";

/** A made-up P1 page, in PagerDuty's V3 shape: nothing of it is stored or sent. */
const REHEARSAL_PAGE = JSON.stringify({
  event: {
    id: "01REHEARSAL0000000000000000",
    event_type: "incident.triggered",
    resource_type: "incident",
    occurred_at: "2026-01-01T00:00:00.000Z",
    agent: { id: "PREHEARS", type: "user_reference", summary: "Rehearsal" },
    data: {
      id: "PREHEARS",
      type: "incident",
      html_url: "https://example.pagerduty.com/incidents/PREHEARS",
      number: 1,
      status: "triggered",
      title: "Rehearsal",
      service: { id: "PREHEARS", type: "service_reference", summary: "Rehearsal" },
      assignees: [{ id: "PREHEARS", type: "user_reference", summary: "Rehearsal" }],
      priority: { id: "PREHEARS", type: "priority_reference", summary: "P1" },
      urgency: "high",
    },
  },
});

/**
 * Runs a made-up page through what the first real one would run for the first time: its parse, the
 * incident's projection, the rules and every template. Nothing is stored, sent or kept. A Worker does
 * it as its isolate starts, so that V8 has compiled that code before the isolate's first request: a
 * fresh isolate's first P1 page then took 23–30 ms of workerd's thread at the median, against 37–39
 * without (bench:workerd-cpu, three rounds of each in turn). The rest of that page's first time (the
 * store, the calls) needs I/O, which a Worker's start may not do.
 */
export function rehearse(config: Config, renderer: Renderer): void {
  for (const event of readPagerDutyDelivery(REHEARSAL_PAGE)) {
    const { incident } = projectIncident(null, event, "rehearsal");
    evaluateRules(event, incident, config);
    const view = { ...incidentView(incident, config), event: eventView(event, null, incident, config) };
    for (const name of renderer.names) renderer.render(name, view);
  }
}
