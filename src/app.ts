import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { HeraldError } from "./errors.js";
import type { Background } from "./ports/background.js";
import type { Clock } from "./ports/clock.js";
import type { Store } from "./ports/store.js";
import { allowedMethods } from "./routes/allowed-methods.js";
import { apiRoutes, type ApiAccess } from "./routes/api.js";
import { pagerDutyWebhookHandler } from "./routes/pagerduty-webhook.js";
import { closeConnection } from "./routes/read-body.js";
import type { Config } from "./config/schema.js";
import type { HmacSha256 } from "./crypto/hmac.js";
import type { Renderer } from "./render/renderer.js";

export interface AppDeps {
  store: Store;
  config: Config;
  clock: Clock;
  background: Background;
  pagerdutyWebhookSecrets: readonly string[];
  apiAccess: ApiAccess;
  log: (line: string) => void;
  renderer: Renderer;
  /** Each chat platform's routes (src/chat/<platform>), mounted at the root. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  chatRoutes: readonly Hono<any>[];
  /** The runtime's HMAC for signatures (Web Crypto when not given). */
  hmac?: HmacSha256;
}

/** Builds Herald's HTTP app from its dependencies; the Node and Worker entries only supply them. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/healthz", async (c) => {
    try {
      await deps.store.ping();
      return c.json({ status: "ok", storage: "ok" });
    } catch (error) {
      deps.log(`healthz: storage check failed: ${(error as Error).message}`);
      return c.json({ status: "unavailable", storage: "failing" }, 503);
    }
  });

  app.post(
    "/webhooks/pagerduty",
    pagerDutyWebhookHandler({
      store: deps.store,
      clock: deps.clock,
      background: deps.background,
      secrets: deps.pagerdutyWebhookSecrets,
      hmac: deps.hmac,
    }),
  );
  for (const routes of deps.chatRoutes) app.route("/", routes);
  app.route("/api", apiRoutes({ store: deps.store, access: deps.apiAccess, renderer: deps.renderer, config: deps.config, clock: deps.clock, background: deps.background }));

  // A path Herald has, asked with another method: 405 with the methods it takes (OPTIONS: just those).
  const allowedAt = allowedMethods(app);
  app.notFound((c) => {
    const allowed = allowedAt(c.req.path);
    if (allowed.length === 0) return c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } }, 404);
    const allow = { Allow: [...allowed, "OPTIONS"].join(", ") };
    if (c.req.method === "OPTIONS") return c.body(null, 204, allow);
    const message = `${c.req.path} takes ${allowed.join(" or ")}, not ${c.req.method}`;
    return c.json({ error: { code: "method_not_allowed", message } }, 405, allow);
  });

  app.onError((error, c) => {
    if (error instanceof HeraldError) {
      if (error.status === 413) closeConnection(c);
      return c.json({ error: { code: error.code, message: error.message } }, error.status);
    }
    if (error instanceof HTTPException) {
      return c.json({ error: { code: "http_error", message: error.message } }, error.status);
    }
    deps.log(`unhandled error on ${c.req.method} ${c.req.path}: ${(error as Error).stack ?? error}`);
    return c.json({ error: { code: "internal_error", message: "internal error; see the server log" } }, 500);
  });

  return app;
}
