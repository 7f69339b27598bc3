import { ErrorCode, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError, type WebAPIRequestError } from "@slack/web-api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LeanWebClient } from "../../src/chat/slack/lean-web-client.js";

const API = "http://slack.test/api/";

/** Answers every call with `answer`, keeping what was sent. */
function stubFetch(answer: () => Response | Promise<Response>) {
  const sent: { url: string; headers: Headers; body: URLSearchParams }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url: String(url), headers: new Headers(init.headers), body: new URLSearchParams(String(init.body)) });
    return answer();
  });
  return sent;
}

const json = (body: unknown, init: ResponseInit = {}) => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" }, ...init });

async function failure<T>(call: Promise<unknown>): Promise<T> {
  try {
    await call;
  } catch (error) {
    return error as T;
  }
  throw new Error("the call did not fail");
}

describe("LeanWebClient", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the client's typed calls as Slack documents them: a form-encoded POST with the bearer token, objects as JSON", async () => {
    const sent = stubFetch(() => json({ ok: true, channel: "C1", ts: "1.2" }));
    const client = new LeanWebClient("xoxb-secret", { apiUrl: API, timeoutMs: 1_000 });
    const answer = await client.chat.postMessage({
      channel: "C1",
      text: "a & b = c",
      unfurl_links: false,
      thread_ts: undefined,
      metadata: { event_type: "herald_post", event_payload: { key: "k1" } },
    });
    expect(answer).toMatchObject({ ok: true, ts: "1.2", response_metadata: {} });
    expect(sent).toHaveLength(1);
    const [call] = sent;
    expect(call!.url).toBe(`${API}chat.postMessage`);
    expect(call!.headers.get("authorization")).toBe("Bearer xoxb-secret");
    expect(call!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    // The client's own path sends its User-Agent: this call came the lean way.
    expect(call!.headers.get("user-agent")).toBeNull();
    expect(Object.fromEntries(call!.body)).toEqual({
      channel: "C1",
      text: "a & b = c",
      unfurl_links: "false",
      metadata: JSON.stringify({ event_type: "herald_post", event_payload: { key: "k1" } }),
    });
  });

  it("fails with Slack's error code as the client's platform error", async () => {
    stubFetch(() => json({ ok: false, error: "name_taken" }));
    const client = new LeanWebClient("xoxb-t", { apiUrl: API, timeoutMs: 1_000 });
    const error = await failure<WebAPIPlatformError>(client.conversations.create({ name: "inc-1" }));
    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data.error).toBe("name_taken");
  });

  it("keeps the people conversations.invite names in a refusal", async () => {
    const errors = [{ user: "U1", ok: false, error: "user_not_found" }];
    stubFetch(() => json({ ok: false, error: "user_not_found", errors }));
    const client = new LeanWebClient("xoxb-t", { apiUrl: API, timeoutMs: 1_000 });
    const error = await failure<WebAPIPlatformError>(client.conversations.invite({ channel: "C1", users: "U1,U2" }));
    expect(error.data).toMatchObject({ error: "user_not_found", errors });
  });

  it("fails a 429 with Retry-After as rate limited, with its seconds; one without as an HTTP 429", async () => {
    stubFetch(() => new Response("", { status: 429, headers: { "retry-after": "30" } }));
    const client = new LeanWebClient("xoxb-t", { apiUrl: API, timeoutMs: 1_000 });
    const limited = await failure<WebAPIRateLimitedError>(client.conversations.setTopic({ channel: "C1", topic: "t" }));
    expect(limited.code).toBe(ErrorCode.RateLimitedError);
    expect(limited.retryAfter).toBe(30);

    stubFetch(() => new Response("slow down", { status: 429 }));
    const bare = await failure<WebAPIHTTPError>(client.conversations.setTopic({ channel: "C1", topic: "t" }));
    expect(bare.code).toBe(ErrorCode.HTTPError);
    expect(bare.statusCode).toBe(429);
  });

  it("fails any other status as an HTTP error, and an answer that is not JSON or never comes as a request error", async () => {
    const client = new LeanWebClient("xoxb-t", { apiUrl: API, timeoutMs: 1_000 });
    stubFetch(() => new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const http = await failure<WebAPIHTTPError>(client.pins.add({ channel: "C1", timestamp: "1.2" }));
    expect([http.code, http.statusCode]).toEqual([ErrorCode.HTTPError, 502]);

    stubFetch(() => new Response("<html>maintenance</html>", { status: 200 }));
    const garbled = await failure<WebAPIRequestError>(client.pins.add({ channel: "C1", timestamp: "1.2" }));
    expect(garbled.code).toBe(ErrorCode.RequestError);
    expect(garbled.message).toContain("not JSON");

    stubFetch(() => Promise.reject(new TypeError("fetch failed")));
    const refused = await failure<WebAPIRequestError>(client.pins.add({ channel: "C1", timestamp: "1.2" }));
    expect(refused.code).toBe(ErrorCode.RequestError);
    expect(refused.original.message).toBe("fetch failed");
  });

  it("gives up a call that takes longer than its timeout", async () => {
    vi.stubGlobal("fetch", (_url: string, init: RequestInit) => new Promise((_, reject) => init.signal!.addEventListener("abort", () => reject(init.signal!.reason))));
    const client = new LeanWebClient("xoxb-t", { apiUrl: API, timeoutMs: 50 });
    const hung = await failure<WebAPIRequestError>(client.auth.test());
    expect(hung.code).toBe(ErrorCode.RequestError);
    expect(hung.original.name).toBe("TimeoutError");
  });
});
