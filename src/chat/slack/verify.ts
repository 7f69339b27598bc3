import { SignatureError } from "../../errors.js";
import { sameBytes, webCryptoHmac, type HmacSha256 } from "../../crypto/hmac.js";
import type { Clock } from "../../ports/clock.js";

const encoder = new TextEncoder();

/** Slack refuses requests whose timestamp is more than five minutes from now (replay window). */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;


function signedBytes(timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`v0:${timestamp}:`);
  const bytes = new Uint8Array(prefix.byteLength + body.byteLength);
  bytes.set(prefix, 0);
  bytes.set(body, prefix.byteLength);
  return bytes;
}

/**
 * Verifies `X-Slack-Signature` (`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`) and the
 * `X-Slack-Request-Timestamp` replay window against an injected clock. Throws SignatureError.
 */
export async function verifySlackRequest(options: {
  body: Uint8Array;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  signingSecret: string;
  clock: Clock;
  /** The runtime's HMAC (Web Crypto by default). */
  hmac?: HmacSha256;
}): Promise<void> {
  const { signature, timestamp } = options;
  if (!options.signingSecret) throw new SignatureError("no Slack signing secret is configured");
  if (!timestamp) throw new SignatureError("missing X-Slack-Request-Timestamp header");
  if (!signature) throw new SignatureError("missing X-Slack-Signature header");
  if (!/^\d+$/.test(timestamp)) throw new SignatureError("X-Slack-Request-Timestamp is not a number");
  const skew = Math.abs(options.clock.now().getTime() / 1000 - Number(timestamp));
  if (skew > SLACK_MAX_SKEW_SECONDS) throw new SignatureError("X-Slack-Request-Timestamp is more than 5 minutes away");
  const match = /^v0=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match) throw new SignatureError("X-Slack-Signature is not a v0 signature");
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = parseInt(match[1]!.slice(i * 2, i * 2 + 2), 16);
  const expected = await (options.hmac ?? webCryptoHmac)(options.signingSecret, signedBytes(timestamp, options.body));
  if (!sameBytes(expected, mac)) throw new SignatureError("X-Slack-Signature does not match the signing secret");
}

/** Signs a request body as Slack does; used by the tests and the benchmark. */
export async function signSlackBody(body: string, timestamp: string, signingSecret: string): Promise<string> {
  const mac = await webCryptoHmac(signingSecret, signedBytes(timestamp, encoder.encode(body)));
  return `v0=${Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
