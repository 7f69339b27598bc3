import type { Store } from "../../src/ports/store.js";
import type { SlackCall } from "./fake-slack.js";
import type { PagerDutyCall } from "./fake-pagerduty.js";
import type { GitHubCall } from "./fake-github.js";
import type { TeamsCall } from "./fake-teams.js";

/** What a shared spec needs from a runtime: Node (SQLite) or workerd (D1 and the Queue). */
export interface Harness {
  runtime: "node" | "workers";
  /** Where the fake vendors listen (Slack's response URLs in requests point here). */
  vendorsUrl: string;
  /** A fresh, empty store with the migrations applied. */
  freshStore(): Promise<Store>;
  /** The size in bytes of the database behind the last fresh store, its free pages included. */
  databaseBytes(): Promise<number>;
  /**
   * Herald on a fresh store. `chat: "local"` leaves Slack unconfigured (the console is the default
   * platform); `config` replaces the test configuration (herald.yaml's text); `env` sets variables
   * over the test environment's.
   */
  start(options?: { chat?: "slack" | "local"; config?: string; env?: Record<string, string> }): Promise<RunningHerald>;
}

export interface RunningHerald {
  store: Store;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Runs background work until no delivery is waiting and no effect is due. */
  settle(): Promise<void>;
  slackCalls(): Promise<SlackCall[]>;
  pagerdutyCalls(): Promise<PagerDutyCall[]>;
  /** What the fake Microsoft services (token endpoint, Bot Connector, Graph, Workflows) received. */
  teamsCalls(): Promise<TeamsCall[]>;
  githubCalls(): Promise<GitHubCall[]>;
  /** What the local chat adapter printed. */
  printed(): string[];
  /** Makes the fake Slack fail the next call of `method` this way (the next about `channel`, if given). */
  failSlack(method: string, fault: { status?: number; retryAfter?: number; error?: string; channel?: string }): Promise<void>;
}

/** True while the store still has work the pipeline should do now. */
export async function hasWork(store: Store, now = Date.now()): Promise<boolean> {
  if ((await store.pendingDeliveries(1)).length > 0) return true;
  const open = await store.openEffects(100);
  return open.some((e) => e.status === "in_flight" || Date.parse(e.nextAttemptAt) <= now);
}

/** Time passes until every waiting retry is due (their due times brought forward), and they run. */
export async function retriesRun(herald: RunningHerald): Promise<void> {
  const now = new Date();
  for (const effect of await herald.store.openEffects(100)) {
    if (effect.status !== "pending" || effect.attempts === 0) continue;
    await herald.store.finishEffect(effect.key, { status: "pending", error: effect.lastError ?? undefined, nextAttemptAt: new Date(now.getTime() - 1000).toISOString() }, now.toISOString());
  }
  await herald.settle();
}
