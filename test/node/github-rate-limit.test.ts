// GitHub answers a rate limit with 429, or with 403 as it answers a refused permission: Herald tells
// them apart by the headers and message GitHub documents ("Troubleshooting the REST API"), waits as
// they say, and fails a refused permission at once.
import { describe, expect, it } from "vitest";
import { rateLimitWait } from "../../src/github/github-issues.js";

const now = Date.parse("2026-12-04T10:00:00Z");

describe("GitHub's rate limits", () => {
  it("waits for retry-after when GitHub sends it", () => {
    expect(rateLimitWait(403, { "retry-after": "30" }, "You have exceeded a secondary rate limit.", now)).toBe(30);
    expect(rateLimitWait(429, { "retry-after": "5" }, "Too Many Requests", now)).toBe(5);
  });

  it("waits until x-ratelimit-reset when the hour's requests are spent", () => {
    const reset = String(now / 1000 + 1200);
    expect(rateLimitWait(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, "API rate limit exceeded for user ID 1.", now)).toBe(1200);
    // A reset already past (clocks differ) still waits a second.
    expect(rateLimitWait(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 - 10) }, "API rate limit exceeded", now)).toBe(1);
  });

  it("waits a minute for a secondary limit that names no time", () => {
    expect(rateLimitWait(403, {}, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", now)).toBe(60);
    expect(rateLimitWait(429, {}, "Too Many Requests", now)).toBe(60);
  });

  it("is not a rate limit when GitHub refuses the permission or the call", () => {
    expect(rateLimitWait(403, { "x-ratelimit-remaining": "4990" }, "Resource not accessible by personal access token", now)).toBeNull();
    expect(rateLimitWait(404, {}, "Not Found", now)).toBeNull();
    expect(rateLimitWait(500, {}, "Server Error", now)).toBeNull();
    expect(rateLimitWait(undefined, {}, "fetch failed", now)).toBeNull();
  });
});
