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

/**
 * PagerDuty's REST API over fetch. (@pagerduty/pdjs needs a bundler alias to run in workerd and waits
 * 20 s itself on a 429; Herald's outbox already retries, honouring Retry-After.)
 */
export function createPagerDutyPaging(options: PagerDutyPagingOptions): PagingService {
  const base = (options.apiUrl ?? "https://api.pagerduty.com").replace(/\/$/, "");

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
    if (response.ok) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const detail = (() => {
      try {
        return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
      } catch {
        return text.slice(0, 200);
      }
    })();
    const retryAfter = Number(response.headers.get("retry-after") ?? "") || undefined;
    const retryable = response.status === 429 || response.status >= 500;
    throw new EffectError(`PagerDuty ${method} ${path}: HTTP ${response.status} ${detail}`, retryable, retryAfter);
  }

  return {
    platform: "pagerduty",
    async addNote(incidentId, content) {
      const result = await call("POST", `/incidents/${encodeURIComponent(incidentId)}/notes`, { note: { content } });
      const id = (result.note as { id?: unknown } | undefined)?.id;
      if (typeof id !== "string") throw new EffectError("PagerDuty createIncidentNote answered without a note id", false);
      return { id };
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
    async resolve(incidentId, resolution) {
      await call("PUT", `/incidents/${encodeURIComponent(incidentId)}`, {
        incident: { type: "incident_reference", status: "resolved", resolution },
      });
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
    async resolve() {},
    async publishStatus() {
      throw new EffectError("PagerDuty is not configured (PAGERDUTY_TOKEN, PAGERDUTY_FROM)", false);
    },
  };
}
