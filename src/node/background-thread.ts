import { Worker } from "node:worker_threads";
import type { EnvVars, Settings } from "../settings.js";
import type { InProcessBackground } from "./in-process-background.js";
import { countAsk, createAskCounts } from "./shared-asks.js";

/** What the background thread needs to wire its own Herald: the same database, configuration and settings. */
export interface BackgroundThreadData {
  dbPath: string;
  configText: string;
  configSource: string;
  env: EnvVars;
  settings: Settings;
  leaseHolder: string;
}

/** What the thread is started with: the data above, and the memory the server counts its asks in (shared-asks.ts). */
export interface BackgroundThreadInit extends BackgroundThreadData {
  asks: Int32Array;
}

/** From the server to its background thread; asks are not messages but counts (shared-asks.ts). */
export type ToBackgroundThread =
  /** Answer once the asks counted so far are worked off. */
  | { kind: "idle"; id: number }
  | { kind: "stop" };

/** From the background thread to the server. */
export type FromBackgroundThread =
  | { kind: "ready" }
  | { kind: "idle"; id: number }
  | { kind: "log"; line: string }
  | { kind: "print"; line: string };

export interface BackgroundThread extends InProcessBackground {
  /** Ends the thread at once, a call in flight included (it stays in flight in the store). */
  terminate(): Promise<void>;
}

// A thread that failed is started again after this long: its work waits in the store meanwhile.
const RESTART_MS = 1_000;

/**
 * Node's background work on a thread of its own (`entry`, running background-worker.ts): its own
 * connection to the SQLite file, its own event loop and heap. Acknowledging a request then never
 * waits behind a pipeline step, a vendor's answer being read, or a garbage collection of the
 * background's objects; only the database's write lock is shared. Resolves once the thread is up.
 */
export async function startBackgroundThread(
  entry: URL,
  data: BackgroundThreadData,
  log: (line: string) => void,
  print: (line: string) => void,
): Promise<BackgroundThread> {
  let worker: Worker;
  let stopping = false;
  let gone: Promise<void> = Promise.resolve();
  let nextId = 0;
  const waiting = new Map<number, () => void>();
  // Shared with every thread started here, the one started again after a failure included.
  const asks = createAskCounts();

  const start = () =>
    new Promise<void>((ready, failed) => {
      worker = new Worker(entry, { workerData: { ...data, asks } satisfies BackgroundThreadInit });
      let exited: () => void;
      gone = new Promise<void>((done) => (exited = done));
      worker.on("message", (message: FromBackgroundThread) => {
        if (message.kind === "ready") ready();
        else if (message.kind === "log") log(message.line);
        else if (message.kind === "print") print(message.line);
        else if (message.kind === "idle") {
          waiting.get(message.id)?.();
          waiting.delete(message.id);
        }
      });
      worker.on("error", (error) => {
        log(`the background thread failed: ${error.message}`);
        failed(error);
      });
      worker.on("exit", () => {
        exited();
        // Whoever waits for the thread's work waits no more: what is left stays in the store.
        for (const done of waiting.values()) done();
        waiting.clear();
        if (stopping) return;
        setTimeout(() => {
          if (stopping) return;
          log("starting the background thread again");
          start().then(
            () => countAsk(asks, "start", false),
            () => {},
          );
        }, RESTART_MS).unref();
      });
    });

  const send = (message: ToBackgroundThread) => worker.postMessage(message);
  await start();

  return {
    schedule(reason, options) {
      if (stopping) return;
      countAsk(asks, reason, options?.urgent === true);
    },
    idle() {
      if (stopping) return gone;
      return new Promise<void>((done) => {
        const id = ++nextId;
        waiting.set(id, done);
        send({ kind: "idle", id });
      });
    },
    /** The thread finishes its calls in flight and ends; `idle()` resolves when it has. */
    stop() {
      if (stopping) return;
      stopping = true;
      send({ kind: "stop" });
    },
    async terminate() {
      stopping = true;
      await worker.terminate();
      await gone;
    },
  };
}
