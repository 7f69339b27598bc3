import type { Context } from "hono";
import { createApp } from "./app.js";
import type { ChatPlatformFactory, PlatformContext } from "./chat/chat-platform.js";
import { createChatRouter, type ChatRouter } from "./chat/chat-router.js";
import { teamsPlatform } from "./chat/teams/teams-platform.js";
import { consolePlatform } from "./chat/console/console-platform.js";
import { slackPlatform } from "./chat/slack/slack-platform.js";
import { withFallbacks } from "./chat/with-fallbacks.js";
import { loadConfig } from "./config/load-config.js";
import { templates } from "./generated/templates.js";
import { createDraftPaging, createPagerDutyPaging } from "./pagerduty/pagerduty-paging.js";
import { readPagerDutyDelivery } from "./pagerduty/read-delivery.js";
import { createDraftIssues, createGitHubIssues } from "./github/github-issues.js";
import { rehearse } from "./rehearse.js";
import { runPipeline, type PipelineOptions, type PipelineRun } from "./pipeline/run-pipeline.js";
import type { Background } from "./ports/background.js";
import type { Clock } from "./ports/clock.js";
import type { Store } from "./ports/store.js";
import type { HmacSha256 } from "./crypto/hmac.js";
import { createRenderer } from "./render/renderer.js";
import type { EnvVars, Settings } from "./settings.js";

/**
 * The chat platforms, in order of preference: the first one configured to post is the default (for
 * alarms, and for channel references that name no platform). A platform is a folder under src/chat
 * and one line here.
 */
const PLATFORMS: readonly ChatPlatformFactory[] = [slackPlatform, teamsPlatform, consolePlatform];

export interface HeraldOptions {
  store: Store;
  configText: string;
  configSource: string;
  env: EnvVars;
  settings: Settings;
  clock: Clock;
  log: (line: string) => void;
  /** Prints what the console "posts". */
  print: (line: string) => void;
  /** Without an API token: tells whether a request comes from this machine (Node only). */
  isLoopback?: (c: Context) => boolean;
  /** Names this process's pipeline runs in the lease; Node keeps one across restarts (default: random). */
  leaseHolder?: string;
  /** The runtime's HMAC for webhook signatures (default: Web Crypto). */
  hmac?: HmacSha256;
}

export interface Herald {
  /** Every active chat platform; `chat.defaultPlatform` names the default. */
  chat: ChatRouter;
  /** The HTTP app, with the runtime's way of starting background work. */
  app(background: Background): ReturnType<typeof createApp>;
  /** Runs a made-up page through the steps that need no store or vendor (see rehearse.ts). */
  rehearse(): void;
  /** One pass of the background pipeline. */
  pipeline(options?: PipelineOptions): Promise<PipelineRun>;
}

/** Wires Herald from a store, the configuration text and the environment; shared by both runtimes. */
export function createHerald(options: HeraldOptions): Herald {
  const env = Object.fromEntries(Object.entries(options.env).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const config = loadConfig(options.configText, { source: options.configSource, env, templateNames: Object.keys(templates) });
  const renderer = createRenderer(templates, { timeZone: config.timezone });
  const context: PlatformContext = {
    store: options.store,
    config,
    settings: options.settings,
    env,
    clock: options.clock,
    renderer,
    log: options.log,
    print: options.print,
    hmac: options.hmac,
    isLoopback: options.isLoopback,
  };
  const platforms = PLATFORMS.map((make) => make(context));
  const chat = createChatRouter(platforms.flatMap((p) => (p.adapter ? [withFallbacks(p.adapter)] : [])));
  const paging = options.settings.pagerduty ? createPagerDutyPaging(options.settings.pagerduty) : createDraftPaging();
  const githubRepo = options.settings.github?.repo ?? config.github.repo;
  const issues =
    options.settings.github && githubRepo
      ? createGitHubIssues({ token: options.settings.github.token, repo: githubRepo, apiUrl: options.settings.github.apiUrl })
      : createDraftIssues();
  // Made at the first run, not here: a Worker builds its Herald as its isolate starts, where
  // random values may not be asked for.
  let holder = options.leaseHolder;

  return {
    chat,
    rehearse: () => rehearse(config, renderer),
    app: (background) =>
      createApp({
        ...context,
        background,
        pagerdutyWebhookSecrets: options.settings.pagerdutyWebhookSecrets,
        apiAccess: { token: options.settings.apiToken, isLoopback: options.isLoopback },
        chatRoutes: platforms.map((p) => p.routes({ ...context, background, chat })),
      }),
    pipeline: (pipelineOptions) =>
      runPipeline({
        store: options.store,
        config,
        renderer,
        chat,
        paging,
        issues,
        clock: options.clock,
        log: options.log,
        newId: () => crypto.randomUUID(),
        sources: { pagerduty: readPagerDutyDelivery },
        names: (platform, userId) => chat.on(platform).displayName(userId),
        roomName: (platform, wanted) => chat.on(platform).roomName(wanted, 1),
        holder: (holder ??= crypto.randomUUID()),
      }, pipelineOptions),
  };
}
