import { serve, type ServerType } from "@hono/node-server";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Herald } from "../herald.js";
import type { Store } from "../ports/store.js";
import { readSettings } from "../settings.js";
import { createSqliteStore } from "../store/sqlite-store.js";
import { startBackgroundThread, type BackgroundThread } from "./background-thread.js";
import { localWebhookSecret } from "./local-webhook-secret.js";
import { localWebhookSecretPath, sqlitePath } from "./local-paths.js";
import { createNodeHerald } from "./node-herald.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SWEEP_MS = 5_000;
// Reminders are minute-grained; looking for them every half minute is plenty.
const TIMERS_MS = 30_000;
/**
 * How Herald's HTTP server treats connections:
 * - a slow sender gets 10 s for its headers and 30 s for the whole request (Node's defaults are 60 s
 *   and 300 s), checked every second; a body past its route's limit is cut off where it is;
 * - an idle connection is kept 65 s (Node's default is 5 s), past the 60 s that proxies and load
 *   balancers keep theirs open (nginx's upstream keepalive, AWS's load balancers). Closing first
 *   races a proxy sending the next request on that connection, and the sender gets a 502. Clients
 *   that heed `Keep-Alive: timeout=65` keep their connections too, so a burst finds them open rather
 *   than waiting to open new ones. The headers of the next request still get their 10 s.
 */
export const SERVER_OPTIONS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000, keepAliveTimeout: 65_000 };
/**
 * Past this many open connections, answers say `Connection: close` and their connections are closed
 * once answered, so that clients sending one request each and then sitting idle cannot hold more
 * than about this many sockets for the 65 s (with Node's 5 s they had to come back 13 times as often).
 * A proxy or load balancer in front keeps far fewer.
 */
const MOST_KEPT_CONNECTIONS = 1_000;
// On SIGTERM: the calls in flight get this long to finish; what is left waits in the store.
const DRAIN_MS = 8_000;
// While stopping, connections that have become idle are closed this often.
const IDLE_CLOSE_MS = 50;

export interface NodeServer {
  herald: Herald;
  store: Store;
  background: BackgroundThread;
  server: ServerType;
  port: number;
  /** Stops taking requests and work, lets the calls in flight finish (8 s at most), closes the database. */
  close(): Promise<void>;
}

// The background thread's code: built next to the server's bundle, or compiled as it loads when the
// server itself runs from its sources (the tests).
const BACKGROUND_WORKER = import.meta.url.endsWith(".ts")
  ? new URL("./background-worker-from-source.mjs", import.meta.url)
  : pathToFileURL(join(root, "dist", "node", "background-worker.mjs"));

/**
 * Herald on Node as `npm start` runs it: SQLite at HERALD_DB with migrations applied, herald.yaml at
 * HERALD_CONFIG, background work on a thread of its own with a sweep every few seconds. Throws
 * ConfigError. `mostKeptConnections` is for tests, which cannot open a thousand connections.
 */
export async function startNodeServer(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  print: (line: string) => void = (line) => console.log(line),
  { mostKeptConnections = MOST_KEPT_CONNECTIONS }: { mostKeptConnections?: number } = {},
): Promise<NodeServer> {
  const dbPath = sqlitePath(env);
  const configPath = resolve(env.HERALD_CONFIG ?? "./herald.yaml");
  const settings = readSettings(env);
  if (settings.pagerdutyWebhookSecrets.length === 0) {
    const secretPath = localWebhookSecretPath(dbPath);
    settings.pagerdutyWebhookSecrets = [localWebhookSecret(secretPath)];
    log(`PAGERDUTY_WEBHOOK_SECRETS is not set: PagerDuty webhooks are checked against the local secret in ${secretPath}`);
  }
  const store = createSqliteStore(dbPath, join(root, "migrations"), log);
  const leaseHolder = `node:${hostname()}:${dbPath}`;
  const configText = readFileSync(configPath, "utf8");
  const herald = createNodeHerald({ store, configText, configSource: configPath, env, settings, log, print, leaseHolder });
  // One Node process owns its SQLite file: after a crash the restarted process takes its lease
  // back at once instead of waiting for it to expire.
  await store.releaseLeasesOf(leaseHolder);
  const background = await startBackgroundThread(
    BACKGROUND_WORKER,
    { dbPath, configText, configSource: configPath, env: { ...env }, settings, leaseHolder },
    log,
    print,
  );
  const app = herald.app(background);
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((ready) => {
    const server = serve({ fetch: app.fetch, port: Number(env.PORT ?? 8787), serverOptions: SERVER_OPTIONS }, (info) => ready({ server, port: info.port }));
  });
  keepAtMost(server, mostKeptConnections);
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
      // No new requests, no new background runs; the run going on finishes its calls in flight.
      background.stop();
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Kept-alive connections would hold close() open for their 65 s: idle ones go now (close does
      // that), and one whose request is being answered goes once its answer is sent.
      const letIdleGo = setInterval(() => (server as { closeIdleConnections?: () => void }).closeIdleConnections?.(), IDLE_CLOSE_MS);
      const drained = await Promise.race([
        Promise.all([closed, background.idle()]).then(() => true),
        new Promise<false>((done) => setTimeout(() => done(false), DRAIN_MS).unref()),
      ]);
      clearInterval(letIdleGo);
      if (!drained) {
        // A call still hanging is not waited for: its effect stays in flight in the store, and the
        // next start looks for what it did before trying it again.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        log(`stopping with work in flight after ${DRAIN_MS / 1000} s; it is picked up on the next start`);
      }
      await background.terminate();
      store.close();
    },
  };
}

/** Lets connections be kept alive only while at most `most` are open (see MOST_KEPT_CONNECTIONS). */
export function keepAtMost(server: ServerType, most: number): void {
  let open = 0;
  server.on("connection", (socket: Socket) => {
    open++;
    socket.once("close", () => open--);
  });
  // Before Hono's own listener, which may write its answer's headers at once.
  server.prependListener("request", (_request: IncomingMessage, response: ServerResponse) => {
    if (open > most) response.setHeader("Connection", "close");
  });
}
