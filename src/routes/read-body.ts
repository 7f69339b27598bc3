import type { Context } from "hono";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors.js";

/** Reads the raw body after checking its media type and size; the raw bytes are what signatures cover. */
export async function readBody(c: Context, options: { mediaType: string; limitBytes: number }): Promise<Uint8Array<ArrayBuffer>> {
  const type = (requestHeader(c, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== options.mediaType) {
    throw new UnsupportedMediaTypeError(`expected Content-Type ${options.mediaType}, got ${type || "none"}`);
  }
  const declared = Number(requestHeader(c, "content-length") ?? "0");
  if (declared > options.limitBytes) throw new PayloadTooLargeError(options.limitBytes);
  const body = await readIncoming(c, options.limitBytes);
  if (body.byteLength > options.limitBytes) throw new PayloadTooLargeError(options.limitBytes);
  return body;
}

/**
 * A request header (lowercase name). On Node, read from the IncomingMessage's own parsed headers:
 * asking the Web Request builds a Headers object of all of them first, a noticeable part of an ack.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)?.incoming;
  if (incoming?.headers && typeof incoming.headers === "object") {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }
  return c.req.header(name);
}

interface IncomingLike {
  readableEnded?: boolean;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "error", listener: (error?: Error) => void): unknown;
}

/**
 * On Node, the body straight from the IncomingMessage: building a Web Request for it costs most of
 * an acknowledgement's time there. Elsewhere (Workers, app.request in tests), the Request's body.
 */
async function readIncoming(c: Context, limitBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const incoming = (c.env as { incoming?: IncomingLike } | undefined)?.incoming;
  // A stream someone already read would never end again: then the Request is the way.
  if (!incoming || typeof incoming.on !== "function" || incoming.readableEnded) {
    return new Uint8Array(await c.req.arrayBuffer());
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    incoming.on("data", (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size <= limitBytes) chunks.push(chunk);
    });
    incoming.on("error", reject);
    incoming.on("end", () => {
      // Most bodies come in one chunk: that chunk is the body.
      if (chunks.length === 1 && size <= limitBytes) return resolve(chunks[0] as Uint8Array<ArrayBuffer>);
      const body = new Uint8Array(Math.min(size, limitBytes + 1));
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk.subarray(0, body.byteLength - offset), offset);
        offset += chunk.byteLength;
        if (offset >= body.byteLength) break;
      }
      resolve(body);
    });
  });
}
