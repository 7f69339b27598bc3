import { afterAll, expect } from "vitest";
import { API_TOKEN, GITHUB_TOKEN, PAGERDUTY_TOKEN, SLACK_SIGNING_SECRET, SLACK_TEST_TOKEN, WEBHOOK_SECRET } from "./test-config.js";

// Every line Herald logs or prints during the test run, and the one promise about them: no secret
// is ever in one. Loaded by both test projects (setupFiles); Herald's `log` in the harnesses, the
// Worker's console, and the children that `npm start` runs in tests all feed it.

const SECRETS = [
  API_TOKEN,
  GITHUB_TOKEN,
  PAGERDUTY_TOKEN,
  SLACK_SIGNING_SECRET,
  SLACK_TEST_TOKEN,
  WEBHOOK_SECRET,
  "old-rotated-secret",
  "herald-test-teams-password",
  // The Teams outgoing webhook's key, base64 as configured.
  "aGVyYWxkLXRlc3Qtb3V0Z29pbmctd2ViaG9vay1rZXk=",
];

const lines: string[] = [];

/** Keeps a line Herald logged or printed, to be searched for secrets. */
export function watchLog(line: string): void {
  lines.push(line);
}

/** A `log` for Herald in tests: quiet, but watched. */
export const watchedLog = (line: string): void => watchLog(line);

for (const level of ["log", "error", "warn", "info", "debug"] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    watchLog(args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message}\n${a.stack}` : safeJson(a))).join(" "));
    original(...args);
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

afterAll(() => {
  const leaks = lines.flatMap((line) => SECRETS.filter((secret) => line.includes(secret)).map((secret) => `${secret} in: ${line.slice(0, 300)}`));
  expect(leaks, `secrets in ${lines.length} logged lines`).toEqual([]);
  lines.length = 0;
});
