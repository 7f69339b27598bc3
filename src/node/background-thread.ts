import { Worker } from "node:worker_threads";
import type { EnvVars, Settings } from "../settings.js";
import type { InProcessBackground } from "./in-process-background.js";

/** What the background thread needs to wire its own Herald: the same database, configuration and settings. */
export interface BackgroundThreadData {
  dbPath: string;
  configText: string;
  configSource: string;
  env: EnvVars;
  settings: Settings;
  leaseHolder: string;
}

/** From the server to its background thread. */
export type ToBackgroundThread =
  /** The asks since the last message, each reason with whether urgent and how many times. */
  | { kind: "schedule"; asks: [reason: string, urgent: boolean, count: number][] }
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

  const start = () =>
    new Promise<void>((ready, failed) => {
      worker = new Worker(entry, { workerData: data });
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
            () => send({ kind: "schedule", asks: [["start", false, 1]] }),
            () => {},
          );
        }, RESTART_MS).unref();
      });
    });

  const send = (message: ToBackgroundThread) => worker.postMessage(message);
  // Asks go over together, once per turn of the event loop: a message for each would cost the
  // server thread as much as the rest of acknowledging some requests.
  let asks = new Map<string, [reason: string, urgent: boolean, count: number]>();
  const sendAsks = () => {
    if (asks.size === 0) return;
    send({ kind: "schedule", asks: [...asks.values()] });
    asks = new Map();
  };
  await start();

  return {
    schedule(reason, options) {
      if (stopping) return;
      const urgent = options?.urgent === true;
      const key = `${urgent ? "!" : ""}${reason}`;
      const ask = asks.get(key);
      if (ask) ask[2]++;
      else {
        if (asks.size === 0) setImmediate(sendAsks);
        asks.set(key, [reason, urgent, 1]);
      }
    },
    idle() {
      if (stopping) return gone;
      sendAsks();
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
