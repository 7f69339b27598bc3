import { SignatureError } from "../../errors.js";
import { webCryptoHmac, type HmacSha256 } from "../../crypto/hmac.js";
import type { Clock } from "../../ports/clock.js";


const V0_SIGNATURE = /^v0=[0-9a-f]{64}$/;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]!];
  return hex;
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Slack refuses requests whose timestamp is more than five minutes from now (replay window). */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;



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
  const given = signature.trim().toLowerCase();
  if (!V0_SIGNATURE.test(given)) throw new SignatureError("X-Slack-Signature is not a v0 signature");
  const expected = await (options.hmac ?? webCryptoHmac)(options.signingSecret, `v0:${timestamp}:`, options.body);
  // Compared as hex text, in time that depends only on the length (fixed here).
  if (!sameText(given, `v0=${toHex(expected)}`)) throw new SignatureError("X-Slack-Signature does not match the signing secret");
}

/** Signs a request body as Slack does; used by the tests and the benchmark. */
export async function signSlackBody(body: string, timestamp: string, signingSecret: string): Promise<string> {
  const mac = await webCryptoHmac(signingSecret, `v0:${timestamp}:`, body);
  return `v0=${Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
