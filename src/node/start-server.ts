import { serve, type ServerType } from "@hono/node-server";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createHerald, type Herald } from "../herald.js";
import { systemClock } from "../ports/clock.js";
import type { Store } from "../ports/store.js";
import { readSettings } from "../settings.js";
import { createSqliteStore } from "../store/sqlite-store.js";
import { createInProcessBackground, type InProcessBackground } from "./in-process-background.js";
import { localWebhookSecret } from "./local-webhook-secret.js";
import { isLoopbackRequest } from "./loopback.js";
import { nodeHmac } from "./node-hmac.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SWEEP_MS = 5_000;
// Reminders are minute-grained; looking for them every half minute is plenty.
const TIMERS_MS = 30_000;

export interface NodeServer {
  herald: Herald;
  store: Store;
  background: InProcessBackground;
  server: ServerType;
  port: number;
  /** Stops taking requests, lets background work finish, closes the database. */
  close(): Promise<void>;
}

/**
 * Herald on Node as `npm start` runs it: SQLite at HERALD_DB with migrations applied, herald.yaml at
 * HERALD_CONFIG, background work in this process with a sweep every few seconds. Throws ConfigError.
 */
export async function startNodeServer(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  print: (line: string) => void = (line) => console.log(line),
): Promise<NodeServer> {
  const dbPath = resolve(env.HERALD_DB ?? "./data/herald.db");
  const configPath = resolve(env.HERALD_CONFIG ?? "./herald.yaml");
  const settings = readSettings(env);
  if (settings.pagerdutyWebhookSecrets.length === 0) {
    const secretPath = join(dirname(dbPath), "pagerduty-webhook-secret");
    settings.pagerdutyWebhookSecrets = [localWebhookSecret(secretPath)];
    log(`PAGERDUTY_WEBHOOK_SECRETS is not set: PagerDuty webhooks are checked against the local secret in ${secretPath}`);
  }
  const store = createSqliteStore(dbPath, join(root, "migrations"));
  const leaseHolder = `node:${hostname()}:${dbPath}`;
  const herald = createHerald({
    store,
    configText: readFileSync(configPath, "utf8"),
    configSource: configPath,
    env,
    settings,
    clock: systemClock,
    log,
    print,
    isLoopback: isLoopbackRequest,
    leaseHolder,
    hmac: nodeHmac,
  });
  // One Node process owns its SQLite file: after a crash the restarted process takes its lease
  // back at once instead of waiting for it to expire.
  await store.releaseLeasesOf(leaseHolder);
  const background = createInProcessBackground((options) => herald.pipeline(options), log);
  const app = herald.app(background);
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((ready) => {
    const server = serve({ fetch: app.fetch, port: Number(env.PORT ?? 8787) }, (info) => ready({ server, port: info.port }));
  });
  log(`listening on http://localhost:${port} (chat: ${herald.chat.platforms.join(" and ")}, storage: ${dbPath})`);
  // Work left by a crash or a restart, then due retries, are picked up here.
  background.schedule("start");
  const sweep = setInterval(() => background.schedule("sweep"), SWEEP_MS);
  const timers = setInterval(() => background.schedule("timers"), TIMERS_MS);

  return {
    herald,
    store,
    background,
    server,
    port,
    async close() {
      clearInterval(sweep);
      clearInterval(timers);
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Keep-alive connections would hold close() open; idle ones can go now.
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closed;
      await background.idle();
      store.close();
    },
  };
}
