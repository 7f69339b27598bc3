import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { createD1Store } from "../../src/store/d1-store.js";
import worker from "../../src/worker/index.js";
import type { SlackCall } from "../support/fake-slack.js";
import type { PagerDutyCall } from "../support/fake-pagerduty.js";
import type { TeamsCall } from "../support/fake-teams.js";
import type { GitHubCall } from "../support/fake-github.js";
import { hasWork, type Harness } from "../support/harness.js";
import { watchLog } from "../support/log-watch.js";

const TABLES = ["deliveries", "timeline_entries", "incidents", "effects", "leases", "local_channels", "local_messages", "platform_state", "external_refs", "sequences"];
const vendorsUrl = String((env as unknown as Record<string, string>).SLACK_API_URL).replace(/\/slack\/api\/$/, "");
const workerEnv = env as unknown as Parameters<typeof worker.fetch>[1];

/** workerd: the real Worker entry with D1 and the Queue; background work runs through `queue()`. */
export const harness: Harness = {
  runtime: "workers",
  vendorsUrl,
  async freshStore() {
    await env.DB.batch(TABLES.map((table) => env.DB.prepare(`DELETE FROM ${table}`)));
    return createD1Store(env.DB);
  },
  async databaseBytes() {
    // D1 answers every query with the database's size after it; its page counts are not open to queries.
    return (await env.DB.prepare(`SELECT 1`).run()).meta.size_after;
  },
  async start(options = {}) {
    // Miniflare's own Queue consumer takes the messages the test before sent a second later, and its
    // run may still be calling the fakes after their reset (taking this test's first room, say).
    // Empty the store first (a run starting now finds nothing to do), wait for a run going on to let
    // go of its lease, then empty the store again (what that run wrote) and reset the fakes.
    await env.DB.batch(TABLES.filter((table) => table !== "leases").map((table) => env.DB.prepare(`DELETE FROM ${table}`)));
    const until = Date.now() + 30_000;
    const held = () => env.DB.prepare(`SELECT 1 FROM leases WHERE expires_at > ?`).bind(new Date().toISOString()).first();
    while (Date.now() < until && (await held())) await new Promise((r) => setTimeout(r, 20));
    await fetch(`${vendorsUrl}/slack/__reset`, { method: "POST" });
    await fetch(`${vendorsUrl}/pagerduty/__reset`, { method: "POST" });
    await fetch(`${vendorsUrl}/github/__reset`, { method: "POST" });
    await fetch(`${vendorsUrl}/teams/__reset`, { method: "POST" });
    const store = await this.freshStore();
    const printed: string[] = [];
    // The local chat: no Slack token, and no Queue either, so that Miniflare's own consumer (which
    // sees the configured bindings, Slack included) stays out; the pipeline runs in ctx.waitUntil.
    const runEnv =
      options.chat === "local" || options.config || options.env
        ? ({
            ...workerEnv,
            // Miniflare's own Queue consumer sees the configured bindings, not these: runs stay in ctx.waitUntil.
            PIPELINE_QUEUE: undefined,
            ...(options.chat === "local" ? { SLACK_BOT_TOKEN: undefined } : {}),
            ...(options.config ? { HERALD_CONFIG_YAML: options.config } : {}),
            ...options.env,
          } as typeof workerEnv)
        : workerEnv;
    // The Worker's local chat prints with console.log; keep what it prints during our calls.
    const capturing = async <T>(work: () => Promise<T>): Promise<T> => {
      const log = console.log;
      console.log = (line: string) => (printed.push(line), watchLog(line));
      try {
        return await work();
      } finally {
        console.log = log;
      }
    };
    return {
      store,
      async request(path, init) {
        const ctx = createExecutionContext();
        return capturing(async () => {
          const response = await worker.fetch(new Request(`http://herald.test${path}`, init) as any, runEnv, ctx);
          await waitOnExecutionContext(ctx);
          return response as unknown as Response;
        });
      },
      async settle() {
        // Up to 100 runs of ours. While Miniflare's own consumer holds the lease, the wait is bounded by
        // time instead: on a busy machine its run may take seconds, and 100 waits of 50 ms gave up
        // before it was done.
        const until = Date.now() + 30_000;
        for (let i = 0, runs = 0; runs < 100 && Date.now() < until && (await hasWork(store)); i++) {
          const batch = createMessageBatch("herald-pipeline", [
            { id: `settle-${i}`, timestamp: new Date(), attempts: 1, body: { reason: "test" } },
          ]);
          const ctx = createExecutionContext();
          await capturing(() => worker.queue(batch as any, runEnv, ctx));
          const result = await getQueueResult(batch, ctx);
          // Miniflare's own consumer may hold the lease; then the batch is retried and we wait a moment.
          if (result.retryBatch.retry) await new Promise((r) => setTimeout(r, 50));
          else runs++;
        }
      },
      printed: () => printed,
      async slackCalls() {
        return (await (await fetch(`${vendorsUrl}/slack/__calls`)).json()) as SlackCall[];
      },
      async githubCalls() {
        return (await (await fetch(`${vendorsUrl}/github/__calls`)).json()) as GitHubCall[];
      },
      async teamsCalls() {
        return (await (await fetch(`${vendorsUrl}/teams/__calls`)).json()) as TeamsCall[];
      },
      async pagerdutyCalls() {
        return (await (await fetch(`${vendorsUrl}/pagerduty/__calls`)).json()) as PagerDutyCall[];
      },
      async failSlack(method, fault) {
        await fetch(`${vendorsUrl}/slack/__fault/${method}`, { method: "POST", body: JSON.stringify(fault) });
      },
    };
  },
};
