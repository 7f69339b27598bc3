import type { Context } from "hono";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors.js";

/** Reads the raw body after checking its media type and size; the raw bytes are what signatures cover. */
export async function readBody(c: Context, options: { mediaType: string; limitBytes: number }): Promise<Uint8Array<ArrayBuffer>> {
  const type = (requestHeader(c, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== options.mediaType) {
    throw new UnsupportedMediaTypeError(`expected Content-Type ${options.mediaType}, got ${type || "none"}`);
  }
  const declared = Number(requestHeader(c, "content-length") ?? "0");
  if (declared > options.limitBytes) {
    closeConnection(c);
    throw new PayloadTooLargeError(options.limitBytes);
  }
  const body = await readIncoming(c, options.limitBytes);
  if (body === null || body.byteLength > options.limitBytes) {
    closeConnection(c);
    throw new PayloadTooLargeError(options.limitBytes);
  }
  return body;
}

interface NodeConnection {
  incoming?: { socket?: { pause(): void; end(): void; destroy(): void } };
  outgoing?: { once?: (event: "finish", listener: () => void) => void };
}

/**
 * A body Herald will not read (too large, or without end) must not be read by anyone: on Node the
 * server would otherwise drain it after the answer, for as long as the sender keeps sending. Once the
 * answer is written the connection stops reading and is closed (cut a second later, so the sender
 * can read the answer first). Elsewhere the runtime owns the connection and there is nothing to do.
 */
export function closeConnection(c: Context): void {
  const { incoming, outgoing } = (c.env ?? {}) as NodeConnection;
  const socket = incoming?.socket;
  if (!socket || !outgoing?.once) return;
  outgoing.once("finish", () => {
    socket.pause();
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref?.();
  });
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
  pause?: () => void;
  removeAllListeners?: (event: string) => void;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "error", listener: (error?: Error) => void): unknown;
}

/**
 * On Node, the body straight from the IncomingMessage: building a Web Request for it costs most of
 * an acknowledgement's time there. Elsewhere (Workers, app.request in tests), the Request's body
 * stream. Either way reading stops as soon as the body passes the limit: null then.
 */
async function readIncoming(c: Context, limitBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const incoming = (c.env as { incoming?: IncomingLike } | undefined)?.incoming;
  // A stream someone already read would never end again: then the Request is the way.
  if (!incoming || typeof incoming.on !== "function" || incoming.readableEnded) {
    return readStream(c.req.raw.body, limitBytes);
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    incoming.on("data", (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size <= limitBytes) return void chunks.push(chunk);
      // Too large: stop here, whatever the sender still has.
      incoming.removeAllListeners?.("data");
      incoming.pause?.();
      resolve(null);
    });
    incoming.on("error", reject);
    incoming.on("end", () => resolve(joined(chunks, size)));
  });
}

/** Most bodies come in one chunk: that chunk is the body. */
function joined(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

async function readStream(stream: ReadableStream<Uint8Array> | null, limitBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return joined(chunks, size);
}
