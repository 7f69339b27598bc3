import { EffectError } from "../../ports/chat.js";
import type { Clock } from "../../ports/clock.js";

export interface AppCredentials {
  appId: string;
  password: string;
  /** Single-tenant apps name their tenant; multi-tenant bots use botframework.com. */
  tenantId: string | null;
  /** Where tokens come from (https://login.microsoftonline.com); tests point it at a fake. */
  loginUrl: string;
}

/**
 * App tokens by client credentials, one per scope (Bot Framework, Microsoft Graph), kept until a
 * few minutes before they expire. Calls that need one at the same moment share one request.
 */
export function createTokenSource(credentials: AppCredentials, clock: Clock) {
  const cache = new Map<string, { token: string; until: number }>();
  const asking = new Map<string, Promise<string>>();
  /** Drops the kept token for `scope` (refused before it expired: revoked, or the secret rotated). */
  const forget = (scope: string) => void cache.delete(scope);
  return Object.assign(token, { forget });

  async function token(scope: string): Promise<string> {
    const kept = cache.get(scope);
    if (kept && kept.until > clock.now().getTime()) return kept.token;
    let pending = asking.get(scope);
    if (!pending) {
      pending = fetchToken(scope).finally(() => asking.delete(scope));
      asking.set(scope, pending);
    }
    return pending;
  }

  async function fetchToken(scope: string): Promise<string> {
    const now = clock.now().getTime();
    const tenant = credentials.tenantId ?? "botframework.com";
    const url = `${credentials.loginUrl.replace(/\/$/, "")}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: credentials.appId, client_secret: credentials.password, scope }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new EffectError(`Teams token: ${(error as Error).message}`, true);
    }
    const body = (await response.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | null;
    if (!response.ok) {
      // The secret itself is never in the message; the error code Microsoft gives is.
      throw new EffectError(`Teams token: HTTP ${response.status} ${typeof body?.error === "string" ? body.error : ""}`.trim(), response.status >= 500 || response.status === 429);
    }
    if (typeof body?.access_token !== "string") throw new EffectError("Teams token: the answer has no access_token", false);
    const seconds = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in) || 3600;
    cache.set(scope, { token: body.access_token, until: now + Math.max(60, seconds - 300) * 1000 });
    return body.access_token;
  }
}

export const BOT_SCOPE = "https://api.botframework.com/.default";
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export type TokenSource = ReturnType<typeof createTokenSource>;

/**
 * A JSON call with the app's token for `scope`. A token refused with 401 before it expired (revoked,
 * or the app's secret rotated) is dropped and the call made once more with a new one: a 401 means
 * nothing was done, so the second try cannot do it twice.
 */
export async function callWithToken(tokens: TokenSource, scope: string, what: string, url: string, init: { method: string; body?: unknown }): Promise<Record<string, unknown>> {
  try {
    return await callJson(what, url, { ...init, token: await tokens(scope) });
  } catch (error) {
    if ((error as { status?: number }).status !== 401) throw error;
    tokens.forget(scope);
    return callJson(what, url, { ...init, token: await tokens(scope) });
  }
}

/** A JSON call with an app token; errors say the call and whether trying again can help. */
export async function callJson(what: string, url: string, init: { method: string; token: string; body?: unknown }): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { authorization: `Bearer ${init.token}`, "content-type": "application/json" },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new EffectError(`${what}: ${(error as Error).message}`, true);
  }
  const text = await response.text();
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("retry-after")) || undefined;
    const detail = (() => {
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        return parsed.error?.code ?? parsed.error?.message ?? "";
      } catch {
        return "";
      }
    })();
    throw Object.assign(new EffectError(`${what}: HTTP ${response.status} ${detail}`.trim(), response.status === 429 || response.status >= 500, retryAfter), { status: response.status });
  }
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // below
  }
  throw new EffectError(`${what}: the answer is not a JSON object`, false);
}
