import { SignatureError } from "../errors.js";
import { sameBytes, webCryptoHmac, type HmacSha256 } from "../crypto/hmac.js";

const encoder = new TextEncoder();

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return null;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Verifies `X-PagerDuty-Signature` (`v1=<hex>[,v1=<hex>…]`) over the raw body against every active
 * secret, so a rotation keeps working. Throws SignatureError saying what is wrong.
 * `crypto.subtle.verify` compares in constant time.
 */
export async function verifyPagerDutySignature(
  body: Uint8Array<ArrayBuffer>,
  header: string | null | undefined,
  secrets: readonly string[],
  hmac: HmacSha256 = webCryptoHmac,
): Promise<void> {
  if (secrets.length === 0) throw new SignatureError("no PagerDuty webhook secret is configured");
  if (!header) throw new SignatureError("missing X-PagerDuty-Signature header");
  const signatures = header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => hexToBytes(part.slice(3)))
    .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes !== null);
  if (signatures.length === 0) throw new SignatureError("X-PagerDuty-Signature has no v1 signature");
  if (body.byteLength === 0) throw new SignatureError("empty body");
  for (const secret of secrets) {
    // PagerDuty keys the HMAC with the secret's own bytes, not base64-decoded (go-pagerduty webhookv3).
    const expected = await hmac(secret, body);
    // Every signature is compared (in constant time each), so timing does not tell which one matched.
    let matched = false;
    for (const signature of signatures) matched = sameBytes(expected, signature) || matched;
    if (matched) return;
  }
  throw new SignatureError("X-PagerDuty-Signature matches no configured secret");
}

/** Signs a body as PagerDuty does; used by the demo and the tests. */
export async function signPagerDutyBody(body: string | Uint8Array<ArrayBuffer>, secret: string): Promise<string> {
  const data = typeof body === "string" ? encoder.encode(body) : body;
  const mac = await webCryptoHmac(secret, data);
  return `v1=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
