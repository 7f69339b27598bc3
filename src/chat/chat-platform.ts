import type { Context, Hono } from "hono";
import type { Config } from "../config/schema.js";
import type { HmacSha256 } from "../crypto/hmac.js";
import type { Background } from "../ports/background.js";
import type { ChatAdapter } from "../ports/chat.js";
import type { Clock } from "../ports/clock.js";
import type { Store } from "../ports/store.js";
import type { Renderer } from "../render/renderer.js";
import type { Settings } from "../settings.js";
import type { ChatRouter } from "./chat-router.js";

/** What every chat platform is built from. */
export interface PlatformContext {
  store: Store;
  config: Config;
  settings: Settings;
  /** The raw environment, for a platform's own variables (secrets: never logged). */
  env: Readonly<Record<string, string>>;
  clock: Clock;
  renderer: Renderer;
  log: (line: string) => void;
  /** Prints what the console posts (the terminal of `npm start`). */
  print: (line: string) => void;
  /** The runtime's HMAC for signatures (Web Crypto when not given). */
  hmac?: HmacSha256;
  /** Without an API token: tells whether a request comes from this machine (Node only). */
  isLoopback?: (c: Context) => boolean;
}

/** What a platform's routes get besides: the runtime's background runner and every platform's adapter. */
export interface RouteContext extends PlatformContext {
  background: Background;
  chat: ChatRouter;
}

/** One chat platform: a folder under src/chat with its routes, verification, parsing into ChatRequest, adapter and renderer. */
export interface ChatPlatform {
  name: string;
  /** Posts for Herald; null when the platform is not configured to post (its routes still answer, with a clear error). */
  adapter: ChatAdapter | null;
  /** Its HTTP routes, mounted at the root of the app (each platform types its own context variables). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  routes(context: RouteContext): Hono<any>;
}

/** Builds a platform from the context; src/herald.ts lists them, one line each. */
export type ChatPlatformFactory = (context: PlatformContext) => ChatPlatform;
