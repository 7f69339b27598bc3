import { describe, expect, it } from "vitest";
import { startBackgroundThread, type BackgroundThreadData } from "../../src/node/background-thread.js";
import { until } from "../support/until.js";

const STUB = new URL("../support/background-thread-stub.mjs", import.meta.url);
const DATA: BackgroundThreadData = {
  dbPath: "unused",
  configText: "",
  configSource: "unused",
  env: {},
  settings: { pagerdutyWebhookSecrets: [], apiToken: null, slack: null, slackSigningSecret: null, github: null, pagerduty: null },
  leaseHolder: "test",
};

describe("Node's background thread", () => {
  it("passes asks on together, answers idle() once the thread has had them, and relays its log and prints", async () => {
    const lines: string[] = [];
    const printed: string[] = [];
    const thread = await startBackgroundThread(STUB, DATA, (line) => lines.push(line), (line) => printed.push(line));
    try {
      thread.schedule("webhook");
      thread.schedule("page", { urgent: true });
      thread.schedule("webhook");
      await thread.idle();
      expect(lines).toEqual(["scheduled webhook ×2", "scheduled page (urgent) ×1"]);
      // Asks made in one turn of the event loop go over in one message at its end.
      thread.schedule("sweep");
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lines.at(-1)).toBe("scheduled sweep ×1");
      expect(printed).toEqual(["up"]);
    } finally {
      await thread.terminate();
    }
  });

  it("starts a thread that failed again, which then looks for the work left in the store", async () => {
    const lines: string[] = [];
    const thread = await startBackgroundThread(STUB, DATA, (line) => lines.push(line), () => {});
    try {
      thread.schedule("fail");
      await until("the thread to be started again", () => lines.includes("scheduled start ×1"), 5);
      expect(lines).toEqual([
        "the background thread failed: a bug in the background",
        "starting the background thread again",
        "scheduled start ×1",
      ]);
      thread.schedule("webhook");
      await thread.idle();
      expect(lines.at(-1)).toBe("scheduled webhook ×1");
    } finally {
      await thread.terminate();
    }
  });

  it("on stop, takes no more asks and resolves idle() once the thread has ended", async () => {
    const lines: string[] = [];
    const thread = await startBackgroundThread(STUB, DATA, (line) => lines.push(line), () => {});
    thread.stop();
    thread.schedule("after the stop");
    const started = performance.now();
    await thread.idle();
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    expect(lines).toEqual(["stopping"]);
    await thread.terminate();
  });
});
