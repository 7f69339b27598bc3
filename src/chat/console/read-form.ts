import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HeraldError, PayloadTooLargeError } from "../../errors.js";
import { readBody, requestHeader } from "../../routes/read-body.js";

const URLENCODED = "application/x-www-form-urlencoded";
const decoder = new TextDecoder();

/**
 * Reads a console form before anything else does, refusing one over `limitBytes` (413) unread. A
 * urlencoded form (every form the console serves) is read straight from the connection and parsed
 * with URLSearchParams (the parser the Fetch standard's own uses) into Hono's body cache, where
 * every `parseBody()` finds it: on Node, Hono's way built a Web Request and a Response to parse it,
 * which cost more than the rest of a console request. Anything else goes through Hono's bodyLimit.
 */
export function readForm(limitBytes: number): MiddlewareHandler {
  const tooLarge = () => new HeraldError("payload_too_large", 413, `That form is too large (${limitBytes / 1024} KB at most).`);
  const limited = bodyLimit({ maxSize: limitBytes, onError: () => { throw tooLarge(); } });
  return async (c, next) => {
    const type = (requestHeader(c, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== URLENCODED) return limited(c, next);
    let bytes: Uint8Array;
    try {
      bytes = await readBody(c, { mediaType: URLENCODED, limitBytes });
    } catch (error) {
      throw error instanceof PayloadTooLargeError ? tooLarge() : error;
    }
    const form = new FormData();
    for (const [key, value] of new URLSearchParams(decoder.decode(bytes))) form.append(key, value);
    c.req.bodyCache.formData = form;
    await next();
  };
}
