import { Hono, type Context } from "hono";
import { dropConnection } from "./drop-connection.js";

interface Fault {
  /** Refused before it acts; a 429 carries PagerDuty's rate-limit headers (`ratelimit-reset`: `resetInSeconds`, default 30). */
  status?: number;
  resetInSeconds?: number;
  hang?: boolean;
  /** The call lands, the answer is lost (a 502 on the way back). */
  lose?: boolean;
  /** The call lands, and the connection is closed instead of answering. */
  close?: boolean;
}

/** Incidents the account has from the start: the alarms of the fixture deliveries the tests send. */
const KNOWN_INCIDENTS = ["PFQZPSY", "PCPZE64", "PGR0VU2", "PQ1K5C8", "Q3B15VLMF3ASBD", "PIQUG8X", "Q05XJA8GDXGOB3", "PTHEIRS"];

/** One call the fake PagerDuty REST API received. */
export interface PagerDutyCall {
  method: string;
  path: string;
  from: string | null;
  body: unknown;
}

/**
 * A fake PagerDuty REST API that refuses what PagerDuty would (PagerDuty/api-schema, openapiv3):
 * a wrong token or Accept header, a missing From header where the operation requires one, a body
 * without the required fields. `/__calls` lists the calls.
 */
/** A call's path with its query, as the calls list keeps it. */
const withQuery = (c: Context) => c.req.path + (c.req.url.includes("?") ? `?${c.req.url.split("?")[1]}` : "");

export function createFakePagerDuty(options: { token: string; from: string }) {
  let calls: PagerDutyCall[] = [];
  // Status page posts: title and updates (newest last), by id.
  let posts = new Map<string, { title: string; updates: { id: string; message: string }[] }>();
  let counter = 0;
  let faults: Record<string, Fault[]> = {};
  let hung: (() => void)[] = [];
  // The account: incidents Herald opened (and the known alarm ones), their notes, services, priorities, users.
  let incidents = new Map<string, { id: string; incident_number: number; title: string; status: string; incident_key: string | null; html_url: string; notes: { id: string; content: string }[] }>();
  const reset = () => {
    hung.forEach((release) => release());
    hung = [];
    calls = [];
    counter = 0;
    posts = new Map();
    faults = {};
    incidents = new Map(KNOWN_INCIDENTS.map((id, i) => [id, { id, incident_number: 1000 + i, title: id, status: "triggered", incident_key: null, html_url: `https://example.pagerduty.com/incidents/${id}`, notes: [] }]));
  };
  const problem = (c: Context, status: 400 | 401 | 404 | 406, message: string) =>
    c.json({ error: { message, code: status === 401 ? 2006 : 2001 } }, status);
  /**
   * A fault's refusal. A rate limit says, as PagerDuty's REST API does, how many seconds until it
   * resets (`ratelimit-reset`), and sends no Retry-After.
   */
  const refused = (c: Context, fault: Fault) => {
    if (fault.status === 429) {
      c.header("ratelimit-limit", "960");
      c.header("ratelimit-remaining", "0");
      c.header("ratelimit-reset", String(fault.resetInSeconds ?? 30));
      return c.json({ error: { message: "Rate Limit Exceeded", code: 2020 } }, 429);
    }
    return c.json({ error: { message: "Service unavailable", code: 2001 } }, fault.status as 500);
  };

  const app = new Hono();
  app.get("/__calls", (c) => c.json(calls));
  app.post("/__reset", (c) => {
    reset();
    return c.json({ ok: true });
  });
  // Faults on demand, per "METHOD /path-pattern" (e.g. "POST /incidents"): a status, or a call that
  // lands but is never answered (`hang`), as when the caller dies or times out mid-call.
  /** The faults queued and not yet served, by call. */
  app.get("/__faults", (c) => c.json(Object.fromEntries(Object.entries(faults).filter(([, queued]) => queued.length > 0))));
  app.post("/__fault", async (c) => {
    const { call, ...fault } = (await c.req.json()) as Fault & { call: string };
    (faults[call] ??= []).push(fault);
    return c.json({ ok: true });
  });
  app.get("/__incidents", (c) => c.json([...incidents.values()]));
  /** Posts already on the status page, made by others before the test: `{count, title?}`. */
  app.post("/__status_posts", async (c) => {
    const { count, title } = (await c.req.json()) as { count: number; title?: string };
    for (let i = 0; i < count; i++) {
      const id = `PPOST${String(++counter).padStart(3, "0")}`;
      posts.set(id, { title: title ?? `Earlier incident ${i + 1}`, updates: [{ id: `PUPD-${id}`, message: `Earlier update ${i + 1}` }] });
    }
    return c.json({ ok: true });
  });
  /** Updates added to a post by others (in PagerDuty's web app, say): `{post, count}`. */
  app.post("/__status_post_updates", async (c) => {
    const { post, count } = (await c.req.json()) as { post: string; count: number };
    const found = posts.get(post);
    if (!found) return problem(c, 404, "Post not found");
    for (let i = 0; i < count; i++) found.updates.push({ id: `PUPD${++counter}`, message: `Update by hand ${i + 1}` });
    return c.json({ ok: true });
  });
  /** The fault queued for this call, answered now; a `hang` is answered (never) after the call lands. */
  const faultFor = (method: string, route: string) => faults[`${method} ${route}`]?.shift();
  const hang = () => new Promise<void>((release) => hung.push(release));

  // Read-only look-ups the declare uses: services by name, priorities, users (for their email).
  const services = [
    { id: "PNETWRK", name: "Networking - Modernisation Platform", type: "service" },
    { id: "POPSSVC", name: "Operations - Modernisation Platform", type: "service" },
    { id: "PSECSVC", name: "Security - Modernisation Platform", type: "service" },
  ];
  const priorities = [
    { id: "PPRIOP1", name: "P1", type: "priority" },
    { id: "PPRIOP2", name: "P2", type: "priority" },
    { id: "PPRIOP3", name: "P3", type: "priority" },
  ];
  const users = [
    { id: "PJ0LVEB", name: "PIG 208", email: "ada@example.com", type: "user" },
    { id: "PTUXL6G", name: "User 123", email: "grace@example.com", type: "user" },
    // Someone with no chat account under this email.
    { id: "PKIMNOCHAT", name: "Kim Park", email: "kim@example.com", type: "user" },
  ];
  for (const path of ["/services", "/priorities", "/users/*"]) {
    app.use(path, async (c, next) => {
      if (c.req.header("authorization") !== `Token token=${options.token}`) return problem(c, 401, "Authentication failed");
      if (c.req.header("accept") !== "application/vnd.pagerduty+json;version=2") return problem(c, 406, "Accept must select API version 2");
      calls.push({ method: c.req.method, path: withQuery(c), from: c.req.header("from") ?? null, body: null });
      await next();
    });
  }
  // listServices: `query` filters by name (PagerDuty matches it as a part of the name).
  app.get("/services", (c) => {
    const query = (c.req.query("query") ?? "").toLowerCase();
    const found = services.filter((s) => s.name.toLowerCase().includes(query));
    return c.json({ services: found, limit: 25, offset: 0, more: false, total: null });
  });
  app.get("/priorities", (c) => c.json({ priorities, limit: 25, offset: 0, more: false, total: null }));
  app.get("/users/:id", (c) => {
    const user = users.find((u) => u.id === c.req.param("id"));
    return user ? c.json({ user }) : problem(c, 404, "User Not Found");
  });

  // Status pages: the page's statuses and severities, posts and their updates (PagerDuty api-schema).
  const statuses = [
    { id: "PSTINV1", description: "investigating", post_type: "incident", type: "status_page_status" },
    { id: "PSTRES1", description: "resolved", post_type: "incident", type: "status_page_status" },
    { id: "PSTMNT1", description: "scheduled", post_type: "maintenance", type: "status_page_status" },
  ];
  const severities = [
    { id: "PSVMIN1", description: "minor", post_type: "incident", type: "status_page_severity" },
    { id: "PSVMAJ1", description: "major", post_type: "incident", type: "status_page_severity" },
  ];
  app.use("/status_pages/*", async (c, next) => {
    if (c.req.header("authorization") !== `Token token=${options.token}`) return problem(c, 401, "Authentication failed");
    if (c.req.header("accept") !== "application/vnd.pagerduty+json;version=2") return problem(c, 406, "Accept must select API version 2");
    if (!c.req.path.includes("/status_pages/PSTATUS1/")) return problem(c, 404, "Status page not found");
    await next();
  });
  app.get("/status_pages/:id/statuses", (c) => c.json({ statuses, limit: 25, offset: 0, more: false, total: statuses.length }));
  app.get("/status_pages/:id/severities", (c) => c.json({ severities, limit: 25, offset: 0, more: false, total: severities.length }));
  const updateProblem = (u: Record<string, any> | undefined): string | null => {
    if (!u || u.type !== "status_page_post_update") return "update.type must be status_page_post_update";
    if (typeof u.message !== "string" || !u.message) return "update.message is required";
    if (!statuses.some((s) => s.id === u.status?.id && u.status?.type === "status_page_status")) return "update.status must be a status of the page";
    if (!severities.some((s) => s.id === u.severity?.id && u.severity?.type === "status_page_severity")) return "update.severity must be a severity of the page";
    if (!Array.isArray(u.impacted_services) || typeof u.notify_subscribers !== "boolean") return "update.impacted_services and notify_subscribers are required";
    return null;
  };
  app.post("/status_pages/:id/posts", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { post?: Record<string, any> } | null;
    calls.push({ method: "POST", path: c.req.path, from: c.req.header("from") ?? null, body });
    const post = body?.post;
    if (!post || post.type !== "status_page_post" || post.post_type !== "incident" || typeof post.title !== "string") return problem(c, 400, "post needs type, post_type and title");
    if (post.status_page?.id !== c.req.param("id") || post.status_page?.type !== "status_page") return problem(c, 400, "post.status_page must name the page");
    if (!Array.isArray(post.updates) || post.updates.length !== 1) return problem(c, 400, "post.updates must hold the first update");
    const wrong = updateProblem(post.updates[0]);
    if (wrong) return problem(c, 400, wrong);
    const fault = faultFor("POST", "/status_pages/:id/posts");
    if (fault?.status) return refused(c, fault);
    const id = `PPOST${String(++counter).padStart(3, "0")}`;
    posts.set(id, { title: post.title, updates: [{ id: `PUPD-${id}`, message: String(post.updates[0].message) }] });
    if (fault?.lose) return c.text("Bad Gateway", 502);
    if (fault?.close) return dropConnection(c);
    return c.json({ post: { id, type: "status_page_post", title: post.title, post_type: "incident" } }, 201);
  });
  /**
   * PagerDuty's classic pagination: `limit` (25 unless given, at most 100) and `offset`, answered
   * with `more` while items remain; a limit or offset that is not a number is refused. The
   * status-page lists' order is not documented: these list oldest first, the harder case for a
   * reader that stops at the first page.
   */
  const paged = <T>(c: Context, wrapper: string, items: T[]) => {
    const limit = c.req.query("limit") === undefined ? 25 : Number(c.req.query("limit"));
    const offset = c.req.query("offset") === undefined ? 0 : Number(c.req.query("offset"));
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) return problem(c, 400, "limit and offset must be whole numbers");
    const size = Math.min(limit, 100);
    return c.json({ [wrapper]: items.slice(offset, offset + size), limit: size, offset, more: offset + size < items.length, total: null });
  };
  // listStatusPagePosts (post_type filters), and a post's updates.
  app.get("/status_pages/:id/posts", (c) => {
    calls.push({ method: "GET", path: withQuery(c), from: null, body: null });
    const postType = c.req.query("post_type");
    if (postType !== undefined && !["incident", "maintenance"].includes(postType)) return problem(c, 400, "post_type is invalid");
    const listed = postType === "maintenance" ? [] : [...posts].map(([id, post]) => ({ id, type: "status_page_post", post_type: "incident", title: post.title, status_page: { id: c.req.param("id"), type: "status_page" }, updates: post.updates.map((u) => ({ id: u.id, type: "status_page_post_update" })) }));
    return paged(c, "posts", listed);
  });
  app.get("/status_pages/:id/posts/:post/post_updates", (c) => {
    calls.push({ method: "GET", path: withQuery(c), from: null, body: null });
    const post = posts.get(c.req.param("post"));
    if (!post) return problem(c, 404, "Post not found");
    return paged(c, "post_updates", post.updates.map((u) => ({ id: u.id, type: "status_page_post_update", message: u.message, post: { id: c.req.param("post"), type: "status_page_post" } })));
  });
  app.post("/status_pages/:id/posts/:post/post_updates", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { post_update?: Record<string, any> } | null;
    calls.push({ method: "POST", path: c.req.path, from: c.req.header("from") ?? null, body });
    const post = posts.get(c.req.param("post"));
    if (!post) return problem(c, 404, "Post not found");
    const update = body?.post_update;
    if (update?.post?.id !== c.req.param("post")) return problem(c, 400, "post_update.post must name the post");
    const wrong = updateProblem(update);
    if (wrong) return problem(c, 400, wrong);
    const fault = faultFor("POST", "/status_pages/:id/posts/:post/post_updates");
    if (fault?.status) return refused(c, fault);
    const id = `PUPD${++counter}`;
    post.updates.push({ id, message: String(update.message) });
    if (fault?.lose) return c.text("Bad Gateway", 502);
    if (fault?.close) return dropConnection(c);
    return c.json({ post_update: { id, type: "status_page_post_update" } }, 201);
  });

  app.use("/incidents/*", async (c, next) => {
    if (c.req.header("authorization") !== `Token token=${options.token}`) return problem(c, 401, "Authentication failed");
    if (c.req.header("accept") !== "application/vnd.pagerduty+json;version=2") return problem(c, 406, "Accept must select API version 2");
    if (c.req.method !== "GET" && c.req.header("content-type") !== "application/json") return problem(c, 400, "Content-Type must be application/json");
    await next();
  });
  for (const path of ["/incidents", "/incidents/*"]) {
    app.use(path, async (c, next) => {
      if (c.req.header("authorization") !== `Token token=${options.token}`) return problem(c, 401, "Authentication failed");
      if (c.req.header("accept") !== "application/vnd.pagerduty+json;version=2") return problem(c, 406, "Accept must select API version 2");
      await next();
    });
  }

  // listIncidents, filtered by incident_key as PagerDuty does.
  app.get("/incidents", (c) => {
    calls.push({ method: "GET", path: withQuery(c), from: c.req.header("from") ?? null, body: null });
    const key = c.req.query("incident_key");
    const found = [...incidents.values()].filter((i) => !key || i.incident_key === key).map(({ notes: _notes, ...i }) => ({ ...i, type: "incident" }));
    return c.json({ incidents: found, limit: 25, offset: 0, more: false, total: null });
  });

  // listIncidentNotes.
  app.get("/incidents/:id/notes", (c) => {
    calls.push({ method: "GET", path: c.req.path, from: c.req.header("from") ?? null, body: null });
    const incident = incidents.get(c.req.param("id"));
    if (!incident) return problem(c, 404, "Incident Not Found");
    return c.json({ notes: incident.notes });
  });

  // createIncidentNote: From required; body {note: {content}} with content required.
  app.post("/incidents/:id/notes", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { note?: { content?: unknown } } | null;
    calls.push({ method: "POST", path: c.req.path, from: c.req.header("from") ?? null, body });
    if (c.req.header("from") !== options.from) return problem(c, 400, "Requester User Not Found (From header)");
    if (typeof body?.note?.content !== "string" || body.note.content === "") return problem(c, 400, "note.content is required");
    const incident = incidents.get(c.req.param("id"));
    if (!incident) return problem(c, 404, "Incident Not Found");
    const fault = faultFor("POST", "/incidents/:id/notes");
    if (fault?.status) return refused(c, fault);
    const id = `PNOTE${String(++counter).padStart(3, "0")}`;
    incident.notes.push({ id, content: body.note.content });
    if (fault?.hang) await hang();
    if (fault?.lose) return c.text("Bad Gateway", 502);
    if (fault?.close) return dropConnection(c);
    return c.json({ note: { id, content: body.note.content, created_at: new Date().toISOString() } });
  });

  // createIncident: From required; incident.type, title and service (a service_reference) required.
  app.post("/incidents", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { incident?: Record<string, any> } | null;
    calls.push({ method: "POST", path: c.req.path, from: c.req.header("from") ?? null, body });
    if (c.req.header("from") !== options.from) return problem(c, 400, "Requester User Not Found (From header)");
    const incident = body?.incident;
    if (incident?.type !== "incident") return problem(c, 400, "incident.type must be incident");
    if (typeof incident.title !== "string" || !incident.title) return problem(c, 400, "incident.title is required");
    if (incident.service?.type !== "service_reference" || typeof incident.service?.id !== "string") return problem(c, 400, "incident.service is invalid");
    if (incident.priority && incident.priority.type !== "priority_reference") return problem(c, 400, "incident.priority is invalid");
    if (!services.some((s) => s.id === incident.service.id)) return problem(c, 400, "Invalid Input Provided: service not found");
    if (incident.priority && !priorities.some((p) => p.id === incident.priority.id)) return problem(c, 400, "Invalid Input Provided: priority not found");
    // PagerDuty refuses a second open incident with the same key.
    const key = typeof incident.incident_key === "string" ? incident.incident_key : null;
    if (key && [...incidents.values()].some((i) => i.incident_key === key && i.status !== "resolved")) {
      return c.json({ error: { message: "Invalid Input Provided", code: 2001, errors: [`Open incident with key '${key}' already exists.`] } }, 400);
    }
    const fault = faultFor("POST", "/incidents");
    if (fault?.status) return refused(c, fault);
    const number = ++counter;
    const id = `PDECL${String(number).padStart(3, "0")}`;
    const created = { id, incident_number: number, title: incident.title, status: "triggered", incident_key: key, html_url: `https://example.pagerduty.com/incidents/${id}`, notes: [] };
    incidents.set(id, created);
    if (fault?.hang) await hang();
    if (fault?.lose) return c.text("Bad Gateway", 502);
    if (fault?.close) return dropConnection(c);
    return c.json({ incident: { id, type: "incident", title: incident.title, incident_number: number, status: "triggered", html_url: created.html_url, incident_key: key } }, 201);
  });

  // updateIncident: From required; body {incident: {type, status?, resolution?}} with the documented enums.
  app.put("/incidents/:id", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { incident?: { type?: unknown; status?: unknown } } | null;
    calls.push({ method: "PUT", path: c.req.path, from: c.req.header("from") ?? null, body });
    if (c.req.header("from") !== options.from) return problem(c, 400, "Requester User Not Found (From header)");
    const incident = body?.incident;
    if (!incident || !["incident", "incident_reference"].includes(String(incident.type))) return problem(c, 400, "incident.type is invalid");
    if (incident.status !== undefined && !["resolved", "acknowledged", "triggered"].includes(String(incident.status))) {
      return problem(c, 400, "incident.status is invalid");
    }
    const known = incidents.get(c.req.param("id"));
    if (!known) return problem(c, 404, "Incident Not Found");
    const fault = faultFor("PUT", "/incidents/:id");
    if (fault?.status) return refused(c, fault);
    // Resolving it again is refused (Herald does not rely on this exact answer: it looks the incident up).
    if (incident.status === "resolved" && known.status === "resolved") {
      return c.json({ error: { message: "Invalid Input Provided", code: 2001, errors: ["Incident Already Resolved"] } }, 400);
    }
    if (incident.status) known.status = String(incident.status);
    if (fault?.lose) return c.text("Bad Gateway", 502);
    if (fault?.close) return dropConnection(c);
    return c.json({ incident: { id: known.id, type: "incident", status: known.status } });
  });

  // getIncident.
  app.get("/incidents/:id", (c) => {
    calls.push({ method: "GET", path: c.req.path, from: c.req.header("from") ?? null, body: null });
    const known = incidents.get(c.req.param("id"));
    if (!known) return problem(c, 404, "Incident Not Found");
    const { notes: _notes, ...incident } = known;
    return c.json({ incident: { ...incident, type: "incident" } });
  });

  return { app, calls: () => calls, reset };
}
