import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type WebAPICallResult,
} from "@slack/web-api";

export interface LeanWebClientOptions {
  /** Base URL of the Web API, ending in `/api/`. */
  apiUrl: string;
  /** How long one call may take before it is given up (and tried again later by the outbox). */
  timeoutMs: number;
}

/**
 * @slack/web-api's WebClient, its typed methods, answers and errors kept, with a lighter round trip
 * for each call. The client's own `apiCall` builds three debug lines per call, serializing the whole
 * request and answer with secrets redacted, even when debug logging is off, and passes each call
 * through a queue and a retry loop that Herald turns off (its outbox retries, honouring Retry-After).
 * In the Worker that was about a quarter of a new incident's CPU time (bench:worker-cpu).
 *
 * A call here is what Slack's Web API documents: a form-encoded POST with the bot token as a bearer
 * token, objects (blocks, metadata) as JSON in their field, and a JSON answer whose `ok` says whether
 * it worked. It fails as the client's would, with its error classes: a platform error with Slack's
 * `error` code, a rate-limited error with Retry-After's seconds, an HTTP error with the status, or a
 * request error wrapping what fetch threw (a refused connection, the timeout).
 *
 * Uploads (`filesUploadV2`) keep the client's own path; the calls it makes come through here.
 */
export class LeanWebClient extends WebClient {
  readonly #apiUrl: string;
  readonly #timeoutMs: number;
  readonly #authorization: string;

  constructor(token: string, options: LeanWebClientOptions) {
    super(token, {
      slackApiUrl: options.apiUrl,
      // The client's own path (uploads) must not retry either: the outbox does.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs,
      logLevel: LogLevel.ERROR,
      // workerd rejects `redirect: "error"`, which the client sets (see DESIGN.md).
      fetch: (url, init) => fetch(url, { ...init, redirect: init?.redirect === "error" ? "manual" : init?.redirect }),
    });
    this.#apiUrl = options.apiUrl;
    this.#timeoutMs = options.timeoutMs;
    this.#authorization = `Bearer ${token}`;
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    const body = method === "files.uploadV2" ? null : formBody(options);
    if (body === null) return super.apiCall(method, options);
    // The call's deadline, cleared as soon as the answer is read: a timer left to fire for each
    // call (AbortSignal.timeout) costs more than the rest of the round trip here.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), this.#timeoutMs);
    try {
      return await this.#call(method, body, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  async #call(method: string, body: string, signal: AbortSignal): Promise<WebAPICallResult> {
    let response: Response;
    try {
      response = await fetch(`${this.#apiUrl}${method}`, {
        method: "POST",
        headers: { authorization: this.#authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        redirect: "manual",
        signal,
      });
    } catch (error) {
      throw requestError(error);
    }
    let text: string;
    try {
      // Read whatever the status: an answer left unread holds its connection.
      text = await response.text();
    } catch (error) {
      // The connection closed while the answer was being read: Slack may have acted.
      throw requestError(error);
    }
    if (response.status === 429) {
      const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
      if (!Number.isNaN(retryAfter)) throw new WebAPIRateLimitedError(retryAfter);
    }
    if (response.status !== 200) throw new WebAPIHTTPError(response.status, response.statusText, Object.fromEntries(response.headers), text);
    let result: WebAPICallResult & { error?: unknown };
    try {
      result = JSON.parse(text) as typeof result;
    } catch {
      throw new WebAPIRequestError(new Error(`the answer is not JSON (${text.slice(0, 60)})`));
    }
    result.response_metadata ??= {};
    if (!result.ok) throw new WebAPIPlatformError({ ...result, error: typeof result.error === "string" ? result.error : "unknown_error" });
    return result;
  }
}

/**
 * A call's arguments as Slack's form body: unset ones left out, objects as JSON. Null when one is
 * binary, which only the client's own multipart path can send.
 */
function formBody(args: Record<string, unknown>): string | null {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Uint8Array || value instanceof ArrayBuffer || value instanceof Blob) return null;
    form.append(key, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return form.toString();
}

/** What fetch threw (a refused connection, the deadline), as the client's request error. */
function requestError(error: unknown): WebAPIRequestError {
  return new WebAPIRequestError(error instanceof Error ? error : new Error(String(error)));
}
