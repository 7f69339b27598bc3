import { parentPort, workerData } from "node:worker_threads";
import { createSqlStore } from "../store/sql-store.js";
import { openSqliteDatabase } from "../store/sqlite-store.js";
import type { BackgroundThreadInit, FromBackgroundThread, ToBackgroundThread } from "./background-thread.js";
import { createInProcessBackground } from "./in-process-background.js";
import { createNodeHerald } from "./node-herald.js";
import { watchAsks } from "./shared-asks.js";

// The background thread (see background-thread.ts): Herald's pipeline on its own event loop, asked
// to run by the asks the server thread counts in shared memory (shared-asks.ts), and told to answer
// when idle or to stop by its messages.
const port = parentPort!;
const data = workerData as BackgroundThreadInit;
const tell = (message: FromBackgroundThread) => port.postMessage(message);
const log = (line: string) => tell({ kind: "log", line });

const { db, sql } = openSqliteDatabase(data.dbPath);
// The server's connection has migrated the file and has its checkpoint thread copy the log.
db.pragma("wal_autocheckpoint = 0");
const herald = createNodeHerald({
  store: createSqlStore(sql),
  configText: data.configText,
  configSource: data.configSource,
  env: data.env,
  settings: data.settings,
  log,
  print: (line) => tell({ kind: "print", line }),
  leaseHolder: data.leaseHolder,
});
const background = createInProcessBackground((options) => herald.pipeline(options), log);

// The server's asks, as counts: each one is an ask here, its kind kept (urgent, wanting the timers).
const asks = watchAsks(data.asks, ({ all, urgent, timers }) => {
  for (let i = 0; i < timers; i++) background.schedule("timers");
  for (let i = 0; i < urgent; i++) background.schedule("delivery", { urgent: true });
  for (let i = Math.max(0, all - urgent - timers); i > 0; i--) background.schedule("delivery");
});

port.on("message", (message: ToBackgroundThread) => {
  if (message.kind === "idle") {
    // What was asked before idle() was called is this answer's to wait for.
    asks.takeNow();
    void background.idle().then(() => tell({ kind: "idle", id: message.id }));
  } else if (message.kind === "stop") {
    asks.stop();
    background.stop();
    void background.idle().then(() => {
      db.close();
      // Ends this thread only; a keep-alive connection to a vendor would otherwise hold it open.
      process.exit(0);
    });
  }
});
tell({ kind: "ready" });
