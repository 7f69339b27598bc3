// The benchmarks' fake Slack, in its own process: its work (thousands of calls from Herald's
// background) must not hold up the load generator or its clock. It tells the benchmark over IPC when each
// users' announcement arrives, as `at` (ms since the epoch, to the microsecond), and the rooms made.
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createFakeSlack } from "../test/support/fake-slack.js";
import { SLACK_TEST_TOKEN, TEAM_CHANNELS } from "../test/support/test-config.js";

// Hundreds of thousands of calls: the benchmark never asks for them, and keeping them all would make
// this process, not Herald, the slow part of working off the backlog.
const fake = createFakeSlack({ token: SLACK_TEST_TOKEN, channels: Object.values(TEAM_CHANNELS), recordCalls: false });
const seen = new Set<string>();
const server = serve({
  fetch: async (request) => {
    if (request.url.endsWith("/chat.postMessage")) {
      const text = await request.clone().text();
      const marker = /LATENCY-\w+/.exec(decodeURIComponent(text.replace(/\+/g, " ")));
      if (marker && text.includes(TEAM_CHANNELS.update) && !seen.has(marker[0])) {
        seen.add(marker[0]);
        process.send!({ announced: marker[0], at: performance.timeOrigin + performance.now() });
      }
    }
    return fake.app.fetch(request);
  },
  port: 0,
  hostname: "127.0.0.1",
});
server.once("listening", () => process.send!({ ready: (server.address() as AddressInfo).port }));
process.on("message", (message: { cmd: string }) => {
  if (message.cmd === "rooms") process.send!({ rooms: fake.rooms().filter((r) => r.name.startsWith("inc-")).map((r) => r.id) });
});
// A clean exit, so that a CPU profile asked for with BENCH_CPU_PROF is written.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
