import { Hono, type Context, type MiddlewareHandler } from "hono";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "../errors.js";
import { renderDocument, type DocumentDeps } from "../documents/render-document.js";
import type { DocumentKind } from "../documents/document-view.js";
import type { DeliveryStore, IncidentStore, LocalChatStore, OutboxStore } from "../ports/store.js";

export interface ApiAccess {
  /** Bearer token for /api/*; null: see `isLoopback`. */
  token: string | null;
  /** Without a token: Node serves loopback clients only; the Worker passes none and serves nobody. */
  isLoopback?: (c: Context) => boolean;
}

const encoder = new TextEncoder();

/** Compares two secrets in constant time (digests first, so neither length nor content leaks). */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  // Compare digests so neither the length nor the content of the token leaks through timing.
  const [x, y] = await Promise.all([a, b].map((s) => crypto.subtle.digest("SHA-256", encoder.encode(s))));
  const left = new Uint8Array(x!);
  const right = new Uint8Array(y!);
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= left[i]! ^ right[i]!;
  return diff === 0;
}

/** Guards incident data: a bearer token when configured, otherwise loopback clients only (Node). */
export function apiAccessGuard(access: ApiAccess): MiddlewareHandler {
  return async (c, next) => {
    if (access.token !== null) {
      const header = c.req.header("authorization") ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match || !(await sameSecret(match[1]!.trim(), access.token))) {
        c.header("WWW-Authenticate", 'Bearer realm="herald"');
        throw new UnauthorizedError("send Authorization: Bearer <HERALD_API_TOKEN>");
      }
    } else if (!access.isLoopback) {
      throw new ForbiddenError("the API is off: set HERALD_API_TOKEN to serve it");
    } else if (!access.isLoopback(c)) {
      throw new ForbiddenError("without HERALD_API_TOKEN the API answers loopback clients only");
    }
    await next();
  };
}

/** GET /api/incidents and GET /api/incidents/:id: the incident record as JSON. */
export function apiRoutes(deps: DocumentDeps & { store: IncidentStore & OutboxStore & LocalChatStore & DeliveryStore; access: ApiAccess }): Hono {
  const api = new Hono();
  api.use("*", apiAccessGuard(deps.access));

  api.get("/incidents", async (c) => {
    const incidents = await deps.store.listIncidents();
    return c.json({ incidents });
  });

  // Deliveries Herald could not put on the record, with why: someone should look at these.
  api.get("/deliveries/failed", async (c) => c.json({ deliveries: await deps.store.failedDeliveries(100) }));

  api.get("/incidents/:id", async (c) => {
    const incident = await deps.store.getIncident(c.req.param("id"));
    if (!incident) throw new NotFoundError(`no incident ${c.req.param("id")}`);
    const [timeline, effects] = await Promise.all([
      deps.store.timeline(incident.id),
      deps.store.effectsFor(incident.id),
    ]);
    // The local chat's messages of this incident: its own posts anywhere, and all of its channel.
    const messages = await deps.store.localMessagesFor(incident.channel?.id ?? null, effects.map((e) => e.key));
    return c.json({
      incident,
      timeline,
      effects: effects.map(({ seq: _seq, incidentId: _incident, ...effect }) => ({ ...effect, kind: effect.payload.kind })),
      messages,
    });
  });
  // The post-mortem and runbook drafts, rendered from the record as it is now.
  for (const kind of ["postmortem", "runbook"] as DocumentKind[]) {
    api.get(`/incidents/:id/${kind}.md`, async (c) => {
      const document = await renderDocument(kind, c.req.param("id"), deps);
      if (!document) throw new NotFoundError(`no incident ${c.req.param("id")}`);
      return c.body(document.markdown, 200, { "content-type": "text/markdown; charset=utf-8" });
    });
  }
  return api;
}
