import type { Context } from "hono";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors.js";

/** Reads the raw body after checking its media type and size; the raw bytes are what signatures cover. */
export async function readBody(c: Context, options: { mediaType: string; limitBytes: number }): Promise<Uint8Array<ArrayBuffer>> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== options.mediaType) {
    throw new UnsupportedMediaTypeError(`expected Content-Type ${options.mediaType}, got ${type || "none"}`);
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > options.limitBytes) throw new PayloadTooLargeError(options.limitBytes);
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > options.limitBytes) throw new PayloadTooLargeError(options.limitBytes);
  return body;
}
