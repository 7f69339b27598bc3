import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/** True when the request's peer address is on this machine (127.0.0.0/8 or ::1). */
export function isLoopbackRequest(c: Context): boolean {
  const address = getConnInfo(c).remote.address ?? "";
  return /^(127\.|::1$|::ffff:127\.)/.test(address);
}
