import { serve } from "@hono/node-server";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors.js";
import { createHerald } from "../herald.js";
import { systemClock } from "../ports/clock.js";
import { readSettings } from "../settings.js";
import { createSqliteStore } from "../store/sqlite-store.js";
import { createInProcessBackground } from "./in-process-background.js";
import { localWebhookSecret } from "./local-webhook-secret.js";
import { isLoopbackRequest } from "./loopback.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SWEEP_MS = 5_000;

function main(): void {
  const env = process.env;
  const log = (line: string) => console.error(`[herald] ${line}`);
  const dbPath = resolve(env.HERALD_DB ?? "./data/herald.db");
  const configPath = resolve(env.HERALD_CONFIG ?? "./herald.yaml");
  const settings = readSettings(env);
  if (settings.pagerdutyWebhookSecrets.length === 0) {
    const secretPath = join(dirname(dbPath), "pagerduty-webhook-secret");
    settings.pagerdutyWebhookSecrets = [localWebhookSecret(secretPath)];
    log(`PAGERDUTY_WEBHOOK_SECRETS is not set: PagerDuty webhooks are checked against the local secret in ${secretPath}`);
  }
  const store = createSqliteStore(dbPath, join(root, "migrations"));
  const herald = createHerald({
    store,
    configText: readFileSync(configPath, "utf8"),
    configSource: configPath,
    env,
    settings,
    clock: systemClock,
    log,
    print: (line) => console.log(line),
    isLoopback: isLoopbackRequest,
    // One Node process owns its SQLite file: after a crash the restarted process takes its lease
    // back at once instead of waiting for it to expire.
    leaseHolder: `node:${hostname()}:${dbPath}`,
  });
  const background = createInProcessBackground(() => herald.pipeline(), log);
  const app = herald.app(background);
  const port = Number(env.PORT ?? 8787);
  const server = serve({ fetch: app.fetch, port }, (info) => {
    log(`listening on http://localhost:${info.port} (chat: ${herald.chat.platform}, storage: ${dbPath})`);
  });
  // Work left by a crash or a restart, then due retries, are picked up here.
  background.schedule("start");
  const sweep = setInterval(() => background.schedule("sweep"), SWEEP_MS);

  const stop = () => {
    clearInterval(sweep);
    server.close();
    void background.idle().then(() => {
      store.close();
      process.exit(0);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

try {
  main();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`[herald] configuration error:\n${error.message}`);
    process.exit(1);
  }
  throw error;
}
