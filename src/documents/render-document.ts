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

/**
 * The document's path in the repository: `<configured folder>/<date>-inc-<number>-<slug>.md`. The
 * number keeps two incidents apart (two titles may read alike); the slug keeps the title readable in
 * any script (letters and digits of every language, lowercased; accents dropped from Latin letters).
 */
export function documentPath(kind: DocumentKind, incident: Incident, config: Config): string {
  const folder = (kind === "postmortem" ? config.github.postmortem_path : config.github.runbook_path).replace(/^\/+|\/+$/g, "");
  const words = incident.title
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  const slug = Array.from(words).slice(0, 60).join("").replace(/-+$/, "");
  return `${folder}/${documentBranch(incident)}${slug ? `-${slug}` : ""}.md`;
}

/** `<date>-inc-<number>`: what names an incident's document branch, and starts its file's name. */
export function documentBranch(incident: Incident): string {
  const number = incident.number !== null ? String(incident.number) : incident.id.replace(/[^A-Za-z0-9]+/g, "-").slice(-12);
  return `${incident.triggeredAt.slice(0, 10)}-inc-${number}`;
}
