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
  };
}
