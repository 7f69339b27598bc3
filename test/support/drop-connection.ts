import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

/**
 * A connection closed before the answer, as a vendor's load balancer or a network fault does after
 * the vendor acted: the caller sees a reset socket, not a status. Served by @hono/node-server, the
 * request's socket is at hand; anywhere else the answer is a 502, which callers treat the same way.
 */
export function dropConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  incoming?.socket.destroy();
  return c.text("Bad Gateway", 502);
}
