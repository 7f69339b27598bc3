import { EffectError } from "../ports/chat.js";
import type { PagingService } from "../ports/paging.js";

export interface PagerDutyPagingOptions {
  token: string;
  /** The email of a PagerDuty user, sent as `From` on the calls that need it. */
  from: string;
  /** Base URL of the REST API (default https://api.pagerduty.com); tests point it at a fake. */
  apiUrl?: string;
  timeoutMs?: number;
}

/** The most pages a status-page lookup reads, posts and updates together (100 items a page). */
const STATUS_LOOKUP_READS = 20;

/** PagerDuty's answer with an error status. */
class PagerDutyRefusal extends EffectError {
  constructor(message: string, retryable: boolean, retryAfterSeconds: number | undefined, readonly status: number) {
    super(message, retryable, retryAfterSeconds);
  }
}

/**
 * PagerDuty's REST API over fetch. (@pagerduty/pdjs needs a bundler alias to run in workerd and waits
 * 20 s itself on a 429; Herald's outbox already retries, honouring Retry-After.)
 */
export function createPagerDutyPaging(options: PagerDutyPagingOptions): PagingService {
  const base = (options.apiUrl ?? "https://api.pagerduty.com").replace(/\/$/, "");

  // Services and priorities found by name, kept for the life of the process (or isolate).
  const found = new Map<string, string | null>();
  const lookUp = async (cacheKey: string, find: () => Promise<string | null>) => {
    if (found.has(cacheKey)) return found.get(cacheKey)!;
    const id = await find();
    // A name not found is asked again next time (it may be added meanwhile).
    if (id) found.set(cacheKey, id);
    return id;
  };

  async function call(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Token token=${options.token}`,
          Accept: "application/vnd.pagerduty+json;version=2",
          "Content-Type": "application/json",
          From: options.from,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new EffectError(`PagerDuty ${method} ${path}: ${(error as Error).message}`, true);
    }
    const text = await response.text();
    if (response.ok) {
      if (!text) return {};
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // Answered, but not with what PagerDuty's API documents: trying again will not change that.
      }
      throw new EffectError(`PagerDuty ${method} ${path}: HTTP ${response.status} with a body that is not a JSON object`, false);
    }
    const detail = (() => {
      try {
        return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
      } catch {
        return text.slice(0, 200);
      }
    })();
    // A rate limit says when it resets, in seconds (PagerDuty's "REST API Rate Limits"); Retry-After if given.
    const retryAfter = Number(response.headers.get("retry-after") ?? "") || Number(response.headers.get("ratelimit-reset") ?? "") || undefined;
    const retryable = response.status === 429 || response.status >= 500;
    throw new PagerDutyRefusal(`PagerDuty ${method} ${path}: HTTP ${response.status} ${detail}`, retryable, retryAfter, response.status);
  }

  /**
   * A list read with PagerDuty's classic pagination (`limit` up to 100, `offset`, and `more` while
   * there is more), a page at a time, at most 5 pages and only while `reads` has reads left: what a
   * caller looks for can be past the first page. The status-page lists follow these conventions
   * (their order is not documented).
   */
  async function* listed(path: string, wrapper: string, reads: { left: number }): AsyncGenerator<Record<string, unknown>> {
    let offset = 0;
    for (let page = 0; page < 5 && reads.left > 0; page++) {
      reads.left--;
      const answer = await call("GET", `${path}${path.includes("?") ? "&" : "?"}limit=100&offset=${offset}`, undefined);
      const items = answer[wrapper];
      if (!Array.isArray(items)) throw new EffectError(`PagerDuty GET ${path} answered without ${wrapper}`, false);
      for (const item of items) if (item && typeof item === "object") yield item as Record<string, unknown>;
      if (answer.more !== true || items.length === 0) return;
      offset += items.length;
    }
  }

  return {
    platform: "pagerduty",
    async addNote(incidentId, content) {
      const result = await call("POST", `/incidents/${encodeURIComponent(incidentId)}/notes`, { note: { content } });
      const id = (result.note as { id?: unknown } | undefined)?.id;
      if (typeof id !== "string") throw new EffectError("PagerDuty createIncidentNote answered without a note id", false);
      return { id };
    },
    async findNote(incidentId, content) {
      const result = await call("GET", `/incidents/${encodeURIComponent(incidentId)}/notes`, undefined);
      if (!Array.isArray(result.notes)) throw new EffectError("PagerDuty listIncidentNotes answered without notes", false);
      const found = (result.notes as { id?: unknown; content?: unknown }[]).find((n) => n.content === content && typeof n.id === "string");
      return found ? { id: found.id as string } : null;
    },
    async createIncident(incident) {
      const result = await call("POST", "/incidents", {
        incident: {
          type: "incident",
          title: incident.title,
          service: { id: incident.serviceId, type: "service_reference" },
          ...(incident.priorityId ? { priority: { id: incident.priorityId, type: "priority_reference" } } : {}),
          incident_key: incident.incidentKey,
          body: { type: "incident_body", details: incident.details },
        },
      });
      const created = result.incident as { id?: unknown; html_url?: unknown; incident_number?: unknown } | undefined;
      if (typeof created?.id !== "string") throw new EffectError("PagerDuty createIncident answered without an id", false);
      return {
        id: created.id,
        url: typeof created.html_url === "string" ? created.html_url : null,
        number: typeof created.incident_number === "number" ? created.incident_number : null,
      };
    },
    async findIncidentByKey(incidentKey) {
      const result = await call("GET", `/incidents?incident_key=${encodeURIComponent(incidentKey)}`, undefined);
      const list = result.incidents;
      if (!Array.isArray(list)) throw new EffectError("PagerDuty listIncidents answered without incidents", false);
      const match = (list as { id?: unknown; html_url?: unknown; incident_number?: unknown; incident_key?: unknown }[]).find(
        (i) => typeof i.id === "string" && (i.incident_key === undefined || i.incident_key === incidentKey),
      );
      if (!match) return null;
      return {
        id: match.id as string,
        url: typeof match.html_url === "string" ? match.html_url : null,
        number: typeof match.incident_number === "number" ? match.incident_number : null,
      };
    },
    async findService(name) {
      return lookUp(`service:${name}`, async () => {
        const result = await call("GET", `/services?query=${encodeURIComponent(name)}&limit=100`, undefined);
        if (!Array.isArray(result.services)) throw new EffectError("PagerDuty listServices answered without services", false);
        const services = result.services as { id?: unknown; name?: unknown }[];
        const match = services.find((s) => typeof s.name === "string" && s.name.toLowerCase() === name.toLowerCase());
        return typeof match?.id === "string" ? match.id : null;
      });
    },
    async findPriority(name) {
      return lookUp(`priority:${name}`, async () => {
        const result = await call("GET", "/priorities", undefined);
        if (!Array.isArray(result.priorities)) throw new EffectError("PagerDuty listPriorities answered without priorities", false);
        const match = (result.priorities as { id?: unknown; name?: unknown }[]).find((p) => typeof p.name === "string" && p.name.toLowerCase() === name.toLowerCase());
        return typeof match?.id === "string" ? match.id : null;
      });
    },
    async userEmail(userId) {
      return lookUp(`user:${userId}`, async () => {
        let result: Record<string, unknown>;
        try {
          result = await call("GET", `/users/${encodeURIComponent(userId)}`, undefined);
        } catch (error) {
          // A user deleted from PagerDuty since the incident was assigned: no one to find, and the
          // other assignees are still invited.
          if (error instanceof PagerDutyRefusal && error.status === 404) return null;
          throw error;
        }
        const email = (result.user as { email?: unknown } | undefined)?.email;
        return typeof email === "string" && email ? email : null;
      });
    },
    async resolve(incidentId, resolution) {
      const path = `/incidents/${encodeURIComponent(incidentId)}`;
      try {
        await call("PUT", path, { incident: { type: "incident_reference", status: "resolved", resolution } });
      } catch (error) {
        // Resolved already, in PagerDuty meanwhile or by an attempt whose answer was lost: what was
        // wanted. PagerDuty refuses that with a 4xx it does not document, so the incident is looked at.
        if (error instanceof PagerDutyRefusal && error.status >= 400 && error.status < 500 && error.status !== 429) {
          const current = await call("GET", path, undefined).catch(() => null);
          if ((current?.incident as { status?: unknown } | undefined)?.status === "resolved") return;
        }
        throw error;
      }
    },
    async publishStatus(update) {
      const page = `/status_pages/${encodeURIComponent(update.statusPageId)}`;
      const pick = async (what: "statuses" | "severities", wanted: string) => {
        const list = ((await call("GET", `${page}/${what}`, undefined))[what] as { id: string; description?: string; post_type?: string }[] | undefined) ?? [];
        const forIncidents = list.filter((item) => !item.post_type || item.post_type === "incident");
        const found = forIncidents.find((item) => item.description?.toLowerCase() === wanted.toLowerCase());
        if (found) return found.id;
        if (what === "severities" && forIncidents[0]) return forIncidents[0].id;
        throw new EffectError(`the status page has no ${what === "statuses" ? "status" : "severity"} '${wanted}' for incidents`, false);
      };
      const body = {
        type: "status_page_post_update",
        message: update.message,
        status: { id: await pick("statuses", update.status), type: "status_page_status" },
        severity: { id: await pick("severities", update.severity), type: "status_page_severity" },
        impacted_services: [],
        notify_subscribers: true,
      };
      if (update.postId) {
        await call("POST", `${page}/posts/${encodeURIComponent(update.postId)}/post_updates`, {
          post_update: { ...body, post: { id: update.postId, type: "status_page_post" } },
        });
        return { postId: update.postId };
      }
      const result = await call("POST", `${page}/posts`, {
        post: {
          type: "status_page_post",
          title: update.title,
          post_type: "incident",
          status_page: { id: update.statusPageId, type: "status_page" },
          updates: [body],
        },
      });
      const id = (result.post as { id?: unknown } | undefined)?.id;
      if (typeof id !== "string") throw new EffectError("PagerDuty createStatusPagePost answered without a post id", false);
      return { postId: id };
    },
    async findStatusUpdate(update) {
      // Status page posts carry no key of Herald's: a post is known by its title and an update by its message.
      const page = `/status_pages/${encodeURIComponent(update.statusPageId)}`;
      // All the lookup's reads, posts and updates together: many posts with the incident's title
      // must not take a Worker past its subrequests (50 an invocation on the free plan). Past them,
      // the update is taken as not made, as it was before pages were read.
      const reads = { left: STATUS_LOOKUP_READS };
      const holdsMessage = async (postId: string) => {
        for await (const item of listed(`${page}/posts/${encodeURIComponent(postId)}/post_updates`, "post_updates", reads)) {
          if (item.message === update.message) return true;
        }
        return false;
      };
      if (update.postId) return (await holdsMessage(update.postId)) ? { postId: update.postId } : null;
      for await (const post of listed(`${page}/posts?post_type=incident`, "posts", reads)) {
        if (typeof post.id === "string" && post.title === update.title && (await holdsMessage(post.id))) return { postId: post.id };
      }
      return null;
    },
  };
}

/** Without PagerDuty credentials: nothing is sent; the effect records what would have been. */
export function createDraftPaging(): PagingService {
  return {
    platform: "draft",
    async addNote() {
      return { id: `draft-${crypto.randomUUID()}` };
    },
    async createIncident() {
      return { id: "", url: null, number: null };
    },
    findIncidentByKey: async () => null,
    findNote: async () => null,
    findService: async () => null,
    findPriority: async () => null,
    userEmail: async () => null,
    findStatusUpdate: async () => null,
    async resolve() {},
    async publishStatus() {
      throw new EffectError("PagerDuty is not configured (PAGERDUTY_TOKEN, PAGERDUTY_FROM)", false);
    },
  };
}
