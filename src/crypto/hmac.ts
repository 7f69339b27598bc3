import { hmacKey } from "./hmac-key.js";

/** HMAC-SHA256 of `data` keyed with the secret's own bytes; the runtime supplies the fastest it has. */
export type HmacSha256 = (secret: string, data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;

/** Web Crypto: available on every runtime (the default, and the one Workers use). */
export const webCryptoHmac: HmacSha256 = async (secret, data) =>
  new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), data));

/** Compares two MACs in time that depends only on their length. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
