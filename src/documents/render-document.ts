import type { Config } from "../config/schema.js";
import type { Incident } from "../domain/incident.js";
import type { Clock } from "../ports/clock.js";
import type { IncidentStore } from "../ports/store.js";
import type { Renderer } from "../render/renderer.js";
import { DOCUMENT_TEMPLATES, documentView, type DocumentKind } from "./document-view.js";

export interface DocumentDeps {
  store: IncidentStore;
  renderer: Renderer;
  config: Config;
  clock: Clock;
}

/** Renders an incident's post-mortem or runbook (Markdown) from its record now; null for no such incident. */
export async function renderDocument(
  kind: DocumentKind,
  incidentId: string,
  deps: DocumentDeps,
): Promise<{ incident: Incident; markdown: string } | null> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) return null;
  const timeline = await deps.store.timeline(incident.id);
  const view = documentView(incident, timeline, deps.config, deps.clock.now());
  return { incident, markdown: `${deps.renderer.render(DOCUMENT_TEMPLATES[kind], view)}\n` };
}

/** The document's path in the repository: `<configured folder>/<date>-<slug>.md`. */
export function documentPath(kind: DocumentKind, incident: Incident, config: Config): string {
  const folder = (kind === "postmortem" ? config.github.postmortem_path : config.github.runbook_path).replace(/^\/+|\/+$/g, "");
  const date = incident.triggeredAt.slice(0, 10);
  const slug =
    incident.title
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60)
      .replace(/-+$/, "") || "incident";
  return `${folder}/${date}-${slug}.md`;
}
