import { Hono, type Context, type MiddlewareHandler } from "hono";
import { deadLetterExcerpt } from "../effects/dead-letter.js";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from "../errors.js";
import { renderDocument, type DocumentDeps } from "../documents/render-document.js";
import type { DocumentKind } from "../documents/document-view.js";
import type { DeliveryStore, Effect, IncidentStore, LocalChatStore, OutboxStore, Store } from "../ports/store.js";
import type { Background } from "../ports/background.js";
import type { Clock } from "../ports/clock.js";
import { tryAgain, tryAllAgain } from "../effects/try-again.js";
import { readBacklog } from "../effects/backlog.js";

export interface ApiAccess {
  /** Bearer token for /api/*; null: see `isLoopback`. */
  token: string | null;
  /** Without a token: Node serves loopback clients only; the Worker passes none and serves nobody. */
  isLoopback?: (c: Context) => boolean;
}

const encoder = new TextEncoder();

/**
 * Compares what was sent with a secret in constant time: every byte of the secret is looked at
 * whatever was sent, so the time taken says nothing about how much of it matched (only the
 * secret's own length, which is the same for every guess). Synchronous: hashing both with Web
 * Crypto cost a trip to Node's thread pool on every console request and API call.
 */
export function sameSecret(given: string, secret: string): boolean {
  const sent = encoder.encode(given);
  const expected = encoder.encode(secret);
  let diff = sent.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (sent[i] ?? 0) ^ expected[i]!;
  return diff === 0;
}

/** Guards incident data: a bearer token when configured, otherwise loopback clients only (Node). */
export function apiAccessGuard(access: ApiAccess): MiddlewareHandler {
  return async (c, next) => {
    if (access.token !== null) {
      const header = c.req.header("authorization") ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match || !sameSecret(match[1]!.trim(), access.token)) {
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

/** A page size query (`limit`, or the one `name` says): a whole number from 1 to `max`; absent, `fallback`. */
function pageSize(value: string | undefined, fallback: number, max = 200, name = "limit"): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadRequestError(`${name} must be a whole number from 1 to ${max}`);
  return n;
}

/** `?limit=` and `?cursor=` of a list. */
function pageQuery(c: Context, fallback: number) {
  return { limit: pageSize(c.req.query("limit"), fallback), cursor: c.req.query("cursor") ?? null };
}

/** `?priority=`: one priority or several, comma-separated (P1,P2), in any case; absent, null. */
function priorityFilter(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const names = value.split(",").map((name) => name.trim().toUpperCase());
  if (names.some((name) => !/^P[0-9]$/.test(name))) throw new BadRequestError("priority must be a priority such as P1, or several comma-separated such as P1,P2");
  return [...new Set(names)];
}

/**
 * Whether a browser sent this from a web page of another site (its `Origin`, or its
 * `Sec-Fetch-Site`); scripts send neither. Changes asked so are refused: without a token the API
 * and the console trust this machine, and a page open in its browser could otherwise post to them.
 */
export function fromAnotherSite(c: Context): boolean {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  return Boolean((origin && origin !== new URL(c.req.url).origin) || (site && site !== "same-origin" && site !== "none"));
}

/** An effect as the API shows it: its kind beside its payload, without the store's order number. */
function effectJson({ seq: _seq, ...effect }: Effect) {
  return { ...effect, kind: effect.payload.kind, what: deadLetterExcerpt(effect.payload) };
}

/** GET /api/incidents and GET /api/incidents/:id: the incident record as JSON; POST to try a dead letter again. */
export function apiRoutes(
  deps: DocumentDeps & { store: IncidentStore & OutboxStore & LocalChatStore & DeliveryStore & Pick<Store, "backlog">; access: ApiAccess; background: Background; clock: Clock },
): Hono {
  const api = new Hono();
  api.use("*", apiAccessGuard(deps.access));
  // Every change (any method but a read) is refused from a web page of another site.
  api.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && fromAnotherSite(c)) throw new ForbiddenError("the API takes no changes from a web page of another site");
    await next();
  });

  // Newest first, a page at a time: ?limit= (1–200, default 50), ?cursor= (the `next` of the page before),
  // ?status=open|resolved, ?priority=P1 or P1,P2.
  api.get("/incidents", async (c) => {
    const status = c.req.query("status");
    if (status !== undefined && status !== "open" && status !== "resolved") throw new BadRequestError("status must be open or resolved");
    const priorities = priorityFilter(c.req.query("priority"));
    const page = await deps.store.pageIncidents({ ...pageQuery(c, 50), ...(status ? { status } : {}), ...(priorities ? { priorities } : {}) });
    return c.json({ incidents: page.items, next: page.next });
  });

  // What Herald still has to do (the next 1,000 of each queue), and whether it is behind: on a bad
  // day, whether a vendor is failing and with what.
  api.get("/backlog", async (c) => c.json(await readBacklog(deps.store, deps.clock.now())));

  // Deliveries Herald could not put on the record, with why: someone should look at these.
  api.get("/deliveries/failed", async (c) => {
    const page = await deps.store.failedDeliveries(pageQuery(c, 100));
    return c.json({ deliveries: page.items, next: page.next });
  });

  // Dead letters: outbound actions Herald gave up on (each was said in its incident's room once).
  api.get("/effects/failed", async (c) => {
    const page = await deps.store.failedEffects(pageQuery(c, 100));
    return c.json({ effects: page.items.map(effectJson), next: page.next });
  });

  // Every dead letter queued again at once, as after a long outage (with what was skipped for want of a room).
  api.post("/effects/failed/retry", async (c) => {
    const queued = await tryAllAgain(deps.store, deps.clock.now().toISOString());
    if (queued.failed > 0) deps.background.schedule("dead letters tried again");
    return c.json(queued, 202);
  });

  // A dead letter queued again, once what made it fail is fixed (with what was skipped for want of a room).
  api.post("/effects/:key/retry", async (c) => {
    const key = c.req.param("key");
    const result = await tryAgain(deps.store, key, deps.clock.now().toISOString());
    if (result.status === "not_found") throw new NotFoundError(`no effect ${key}`);
    if (result.status === "not_failed") {
      throw new ConflictError(`effect ${key} is ${result.effect.status.replace("_", " ")}, not failed: only an action Herald gave up on is tried again`);
    }
    deps.background.schedule("dead letter tried again");
    return c.json({ effect: effectJson(result.effect), alongWith: result.alongWith }, 202);
  });

  // The record, with the first page of its timeline (?timeline_limit=, default 200); the rest from /timeline.
  api.get("/incidents/:id", async (c) => {
    const incident = await deps.store.getIncident(c.req.param("id"));
    if (!incident) throw new NotFoundError(`no incident ${c.req.param("id")}`);
    const [timeline, effects] = await Promise.all([
      deps.store.timelinePage(incident.id, { limit: pageSize(c.req.query("timeline_limit"), 200, 1000, "timeline_limit") }),
      deps.store.effectsFor(incident.id),
    ]);
    // The local chat's messages of this incident: its own posts anywhere, and all of its channel.
    const messages = await deps.store.localMessagesFor(incident.channel?.id ?? null, effects.map((e) => e.key));
    return c.json({
      incident,
      timeline: timeline.items,
      timeline_next: timeline.next,
      effects: effects.map(({ seq: _seq, incidentId: _incident, ...effect }) => ({ ...effect, kind: effect.payload.kind })),
      messages,
    });
  });

  // The timeline, oldest first, a page at a time: ?limit= (1–1000, default 200), ?cursor=.
  api.get("/incidents/:id/timeline", async (c) => {
    const incident = await deps.store.getIncident(c.req.param("id"));
    if (!incident) throw new NotFoundError(`no incident ${c.req.param("id")}`);
    const page = await deps.store.timelinePage(incident.id, { limit: pageSize(c.req.query("limit"), 200, 1000), cursor: c.req.query("cursor") ?? null });
    return c.json({ timeline: page.items, next: page.next });
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
