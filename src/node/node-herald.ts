import { createHerald, type Herald, type HeraldOptions } from "../herald.js";
import { systemClock } from "../ports/clock.js";
import { isLoopbackRequest } from "./loopback.js";
import { nodeHmac } from "./node-hmac.js";

/**
 * Herald wired for Node: the system clock, Node's HMAC, and requests from this machine let in
 * without an API token. The server thread and the background thread each make one.
 */
export function createNodeHerald(options: Omit<HeraldOptions, "clock" | "isLoopback" | "hmac">): Herald {
  return createHerald({ ...options, clock: systemClock, isLoopback: isLoopbackRequest, hmac: nodeHmac });
}
