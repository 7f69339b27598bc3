import type { ChatPlatformFactory } from "../chat-platform.js";
import { createBotTokenVerifier } from "./verify-bot-token.js";
import { createTeamsChat } from "./teams-chat.js";
import { teamsRoutes } from "./teams-routes.js";
import { createWorkflowsChat } from "./workflows-chat.js";

const BOT_FRAMEWORK_OPENID = "https://login.botframework.com/v1/.well-known/openidconfiguration";
const LOGIN_URL = "https://login.microsoftonline.com";
const GRAPH_URL = "https://graph.microsoft.com/v1.0";

/**
 * Microsoft Teams: the bot (TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID for single-tenant
 * apps), or an outgoing webhook (TEAMS_OUTGOING_WEBHOOK_SECRET) with Workflows webhooks for posts
 * (teams.workflows in herald.yaml). TEAMS_OPENID_METADATA_URL, TEAMS_LOGIN_URL and
 * TEAMS_GRAPH_API_URL point the clients elsewhere (tests, sovereign clouds).
 */
export const teamsPlatform: ChatPlatformFactory = (context) => {
  const env = context.env;
  const settings = context.config.teams;
  const appId = env.TEAMS_APP_ID || null;
  const password = env.TEAMS_APP_PASSWORD || null;
  const adapter =
    appId && password
      ? createTeamsChat({
          credentials: { appId, password, tenantId: env.TEAMS_TENANT_ID || null, loginUrl: env.TEAMS_LOGIN_URL || LOGIN_URL },
          graphUrl: env.TEAMS_GRAPH_API_URL || GRAPH_URL,
          settings,
          config: context.config,
          state: context.store,
          clock: context.clock,
          log: context.log,
        })
      : Object.keys(settings.workflows).length
        ? createWorkflowsChat(settings.workflows, context.config.channels)
        : null;
  const verifyBotToken = appId ? createBotTokenVerifier({ appId, openIdMetadataUrl: env.TEAMS_OPENID_METADATA_URL || BOT_FRAMEWORK_OPENID, clock: context.clock }) : null;
  return {
    name: "teams",
    adapter,
    routes: (route) =>
      teamsRoutes({
        store: route.store,
        clock: route.clock,
        background: route.background,
        config: route.config,
        verifyBotToken,
        outgoingWebhookSecret: env.TEAMS_OUTGOING_WEBHOOK_SECRET || null,
        log: route.log,
      }),
  };
};
