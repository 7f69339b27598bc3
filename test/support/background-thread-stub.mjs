// Stands in for Herald's background thread (src/node/background-worker.ts) in its protocol test: it
// logs the asks it reads from the shared counts (all, urgent, timers: see src/node/shared-asks.ts),
// answers idle, and takes 50 ms to stop. With configText "fail once" it throws on its first ask
// unless the file named by configSource exists, which it creates first: the thread started again
// after the failure works.
import { existsSync, writeFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const tell = (message) => parentPort.postMessage(message);
const counts = workerData.asks;
const seen = [0, 1, 2].map((i) => Atomics.load(counts, i));
const takeNow = () => {
  const now = [0, 1, 2].map((i) => Atomics.load(counts, i));
  const [all, urgent, timers] = now.map((n, i) => n - seen[i]);
  if (all === 0) return;
  seen.splice(0, 3, ...now);
  if (workerData.configText === "fail once" && !existsSync(workerData.configSource)) {
    writeFileSync(workerData.configSource, "failed");
    throw new Error("a bug in the background");
  }
  tell({ kind: "log", line: `asked ×${all} (${urgent} urgent, ${timers} for timers)` });
};
const watch = async () => {
  for (;;) {
    const wait = Atomics.waitAsync(counts, 0, seen[0]);
    if (wait.async) await wait.value;
    takeNow();
  }
};
void watch();

parentPort.on("message", (message) => {
  if (message.kind === "idle") {
    takeNow();
    tell({ kind: "idle", id: message.id });
  } else if (message.kind === "stop") {
    tell({ kind: "log", line: "stopping" });
    setTimeout(() => process.exit(0), 50);
  }
});
tell({ kind: "print", line: "up" });
tell({ kind: "ready" });
