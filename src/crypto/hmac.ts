import { hmacKey } from "./hmac-key.js";

/**
 * HMAC-SHA256 of the parts, one after the other (text as UTF-8), keyed with the secret's own bytes;
 * the runtime supplies the fastest it has.
 */
export type HmacSha256 = (secret: string, ...parts: (string | Uint8Array)[]) => Promise<Uint8Array>;

const encoder = new TextEncoder();

/** Web Crypto: available on every runtime (the default, and the one Workers use). */
export const webCryptoHmac: HmacSha256 = async (secret, ...parts) =>
  new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), joined(parts)));

function joined(parts: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const bytes = parts.map((part) => (typeof part === "string" ? encoder.encode(part) : part));
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of bytes) {
    all.set(b, offset);
    offset += b.byteLength;
  }
  return all;
}

/** Compares two MACs in time that depends only on their length. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
