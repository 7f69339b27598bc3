import type { ChatPlatformFactory } from "../chat-platform.js";
import { CONSOLE, createConsoleChat } from "./console-chat.js";
import { consoleRoutes } from "./console-routes.js";

/** The web console: always on as a chat platform; the default one when no other is configured. */
export const consolePlatform: ChatPlatformFactory = (context) => ({
  name: CONSOLE,
  adapter: createConsoleChat(context.store, context.clock, context.print),
  routes: (route) => consoleRoutes(route),
});
