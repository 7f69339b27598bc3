import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  it("counts asks where the thread reads them, answers idle() once the thread has had them, and relays its log and prints", async () => {
    const lines: string[] = [];
    const printed: string[] = [];
    const thread = await startBackgroundThread(STUB, DATA, (line) => lines.push(line), (line) => printed.push(line));
    try {
      thread.schedule("webhook");
      thread.schedule("page", { urgent: true });
      thread.schedule("timers");
      thread.schedule("webhook");
      await thread.idle();
      // However the thread happened to read them, every ask arrived once, with its kind.
      const total = (pattern: RegExp) => lines.reduce((sum, line) => sum + Number(pattern.exec(line)?.[1] ?? 0), 0);
      expect(total(/asked ×(\d+)/)).toBe(4);
      expect(total(/\((\d+) urgent/)).toBe(1);
      expect(total(/(\d+) for timers/)).toBe(1);
      // The thread wakes for an ask without being sent anything.
      thread.schedule("sweep");
      await until("the thread to read the ask", () => lines.at(-1) === "asked ×1 (0 urgent, 0 for timers)", 2);
      expect(printed).toEqual(["up"]);
    } finally {
      await thread.terminate();
    }
  });

  it("starts a thread that failed again, which then looks for the work left in the store", async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "herald-thread-"));
    const data = { ...DATA, configText: "fail once", configSource: join(dir, "failed") };
    const thread = await startBackgroundThread(STUB, data, (line) => lines.push(line), () => {});
    try {
      thread.schedule("webhook");
      await until("the thread to be started again", () => lines.length === 3, 5);
      // The new thread reads only what is asked after it starts: the start itself, for the timers.
      expect(lines).toEqual([
        "the background thread failed: a bug in the background",
        "starting the background thread again",
        "asked ×1 (0 urgent, 1 for timers)",
      ]);
      thread.schedule("webhook", { urgent: true });
      await thread.idle();
      expect(lines.at(-1)).toBe("asked ×1 (1 urgent, 0 for timers)");
    } finally {
      await thread.terminate();
      rmSync(dir, { recursive: true, force: true });
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
