import { Hono } from "hono";
import type { ChatPlatformFactory } from "../chat-platform.js";
import { createSlackChat } from "./slack-chat.js";
import { slackCommandHandler } from "./slack-commands.js";
import { slackEventsHandler } from "./slack-events.js";
import { slackInteractionsHandler } from "./slack-interactions.js";
import type { SlackRouteDeps } from "./slack-route-deps.js";

/** Slack: posts with SLACK_BOT_TOKEN; takes `/incident`, interactions and events signed with SLACK_SIGNING_SECRET. */
export const slackPlatform: ChatPlatformFactory = (context) => {
  const slack = context.settings.slack ? createSlackChat({
        token: context.settings.slack.botToken,
        apiUrl: context.settings.slack.apiUrl,
        cache: { store: context.store, clock: context.clock },
      }) : null;
  return {
    name: "slack",
    adapter: slack,
    routes(route) {
      const deps: SlackRouteDeps = {
        store: route.store,
        clock: route.clock,
        background: route.background,
        config: route.config,
        signingSecret: route.settings.slackSigningSecret,
        views: slack,
        log: route.log,
        hmac: route.hmac,
      };
      const app = new Hono();
      app.post("/slack/commands", slackCommandHandler(deps));
      app.post("/slack/events", slackEventsHandler(deps));
      app.post("/slack/interactions", slackInteractionsHandler(deps));
      return app;
    },
  };
};
