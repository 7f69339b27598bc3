import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Without PAGERDUTY_WEBHOOK_SECRETS, Node makes a random secret of its own in a file beside the
 * database (readable by this user only), so a fresh checkout accepts signed samples from `npm run
 * demo` without a shared, guessable default.
 */
export function localWebhookSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = Buffer.from(bytes).toString("base64url");
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
