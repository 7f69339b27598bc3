import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { HmacSha256 } from "../crypto/hmac.js";

/** Node's own HMAC: synchronous and an order of magnitude cheaper than Web Crypto's on Node. */
export const nodeHmac: HmacSha256 = async (secret, ...parts) => {
  const hmac = createHmac("sha256", keyOf(secret));
  for (const part of parts) hmac.update(part);
  return hmac.digest();
};

// Each secret's key made once (a handful: Slack's, PagerDuty's current and rotated ones).
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, "utf8"));
    keys.set(secret, key);
  }
  return key;
}
