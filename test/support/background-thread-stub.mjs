// Stands in for Herald's background thread (src/node/background-worker.ts) in its protocol test: it
// logs what it is asked, fails on a schedule whose reason is "fail", and takes 50 ms to stop.
import { parentPort } from "node:worker_threads";

const tell = (message) => parentPort.postMessage(message);
parentPort.on("message", (message) => {
  if (message.kind === "schedule") {
    for (const [reason, urgent, count] of message.asks) {
      if (reason === "fail") throw new Error("a bug in the background");
      tell({ kind: "log", line: `scheduled ${reason}${urgent ? " (urgent)" : ""} ×${count}` });
    }
  } else if (message.kind === "idle") tell({ kind: "idle", id: message.id });
  else if (message.kind === "stop") {
    tell({ kind: "log", line: "stopping" });
    setTimeout(() => process.exit(0), 50);
  }
});
tell({ kind: "print", line: "up" });
tell({ kind: "ready" });
