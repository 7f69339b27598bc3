import { sameBytes } from "../../crypto/hmac.js";
import { SignatureError } from "../../errors.js";

/**
 * Verifies a Teams outgoing webhook: `Authorization: HMAC <base64>` must be the HMAC-SHA256 of the
 * raw body keyed with the base64-decoded security token Teams showed when the webhook was made,
 * compared in constant time.
 */
export async function verifyOutgoingWebhook(body: Uint8Array, authorization: string | undefined, securityToken: string): Promise<void> {
  const given = /^HMAC\s+([A-Za-z0-9+/]+={0,2})$/.exec(authorization ?? "")?.[1];
  if (!given) throw new SignatureError("missing Authorization: HMAC signature");
  const key = await crypto.subtle.importKey("raw", fromBase64(securityToken), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, body as Uint8Array<ArrayBuffer>));
  if (!sameBytes(expected, fromBase64(given))) throw new SignatureError("the HMAC signature does not match the body");
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Base64 of bytes (tests and fakes sign with it). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
