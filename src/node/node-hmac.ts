import { createHmac } from "node:crypto";
import type { HmacSha256 } from "../crypto/hmac.js";

/** Node's own HMAC: synchronous and an order of magnitude cheaper than Web Crypto's on Node. */
export const nodeHmac: HmacSha256 = async (secret, data) => createHmac("sha256", secret).update(data).digest();
