import { AsyncLocalStorage } from "node:async_hooks";
import { env as startEnv } from "cloudflare:workers";
import { ConfigError } from "../errors.js";
import { defaultConfigText } from "../generated/default-config.js";
import { createHerald, type Herald } from "../herald.js";
import type { PipelineRun } from "../pipeline/run-pipeline.js";
import type { Background } from "../ports/background.js";
import { systemClock } from "../ports/clock.js";
import { readSettings } from "../settings.js";
import type { QueryBudget } from "../pipeline/query-budget.js";
import { createD1Store, type QueryMeter } from "../store/d1-store.js";
import type { Env, PipelineMessage } from "./env.js";
import { isolateHeralds } from "./isolate-heralds.js";

const log = (line: string) => console.error(`[herald] ${line}`);

// Built once per isolate and per bindings object; requests only bring their own ExecutionContext.
const heralds = isolateHeralds(buildRunning);
const heraldFor = heralds.of;

// The app is the isolate's, but background work belongs to the request that asks for it (its
// waitUntil, its budget): each request runs with its own, which the app's routes find here.
const requestBackground = new AsyncLocalStorage<Background>();
const isolateBackground: Background = {
  schedule(reason, options) {
    const background = requestBackground.getStore();
    if (background) background.schedule(reason, options);
    else log(`background: ${reason} asked for outside a request; the cron sweep will run it`);
  },
};

interface Running {
  herald: Herald;
  /** Built once: a Hono app compiles its router on its first request, which a request should not pay for. */
  app: ReturnType<Herald["app"]>;
  /** Every D1 query of this isolate's Herald, so each invocation can tell what it has used. */
  queries: QueryMeter;
  queryLimit: number;
  subrequestLimit: number;
}

/** D1's queries per invocation: 50 on the free plan. The least a run needs to get anything done is 25. */
const DEFAULT_QUERY_LIMIT = 50;
const LEAST_QUERY_LIMIT = 25;
/** A Worker's subrequests (outbound fetches) per invocation: 50 on the free plan. A room takes up to 5. */
const DEFAULT_SUBREQUEST_LIMIT = 50;
const LEAST_SUBREQUEST_LIMIT = 10;

// Every outbound call of this isolate (the vendors' SDKs and Herald's own clients all use the global
// fetch), so each invocation can tell how many of its subrequests it has used.
const subrequests = { count: 0 };
const platformFetch = globalThis.fetch;
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
  subrequests.count++;
  return platformFetch(input, init);
}) as typeof fetch;

function buildRunning(env: Env): Running {
  const queries: QueryMeter = { count: 0 };
  const herald = createHerald({
    store: createD1Store(env.DB, queries),
    configText: env.HERALD_CONFIG_YAML ?? defaultConfigText,
    configSource: env.HERALD_CONFIG_YAML ? "HERALD_CONFIG_YAML" : "herald.yaml",
    env: env as unknown as Record<string, unknown>,
    settings: readSettings(env as unknown as Record<string, unknown>),
    clock: systemClock,
    log,
    print: (line) => console.log(line),
  });
  return {
    herald,
    app: herald.app(isolateBackground),
    queries,
    queryLimit: limitFrom(env.HERALD_D1_QUERY_LIMIT, "HERALD_D1_QUERY_LIMIT", DEFAULT_QUERY_LIMIT, LEAST_QUERY_LIMIT, "D1 allows 50 queries per invocation on the free plan, 1000 on Workers Paid"),
    subrequestLimit: limitFrom(env.HERALD_SUBREQUEST_LIMIT, "HERALD_SUBREQUEST_LIMIT", DEFAULT_SUBREQUEST_LIMIT, LEAST_SUBREQUEST_LIMIT, "Workers allow 50 subrequests per invocation on the free plan, 10000 on Workers Paid"),
  };
}

function limitFrom(value: string | undefined, name: string, byDefault: number, least: number, why: string): number {
  if (value === undefined || value === "") return byDefault;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < least) throw new ConfigError(`${name}: must be a whole number of at least ${least} (${why})`);
  return limit;
}

/**
 * This invocation's share of D1's queries and of its subrequests, counted from now. Other
 * invocations running in the same isolate at the same time count against it too: the budget errs on
 * the safe side.
 */
function budgetFrom(running: Running): QueryBudget {
  const start = running.queries.count;
  const calls = subrequests.count;
  return {
    used: () => running.queries.count - start,
    limit: running.queryLimit,
    subrequests: { used: () => subrequests.count - calls, limit: running.subrequestLimit },
  };
}

/**
 * A run that stopped at its budget with work left asks for another at once, through the Queue (the
 * next invocation has its own budget); without a Queue, the next request or the minute's cron does.
 */
async function carryOn(env: Env, run: PipelineRun): Promise<void> {
  if (run.more) await env.PIPELINE_QUEUE?.send({ reason: "more" });
}

/** With a Queue: a message per stored delivery. Without: the pipeline runs after the response. */
function background(env: Env, ctx: ExecutionContext, running: Running, budget: QueryBudget): Background {
  return {
    schedule(reason) {
      const work = env.PIPELINE_QUEUE
        ? env.PIPELINE_QUEUE.send({ reason })
        : running.herald.pipeline({ queries: budget }).then(() => undefined);
      ctx.waitUntil(work.catch((error: Error) => log(`background: ${error.message}; the cron sweep will retry`)));
    },
  };
}

export default {
  async fetch(request, env, ctx) {
    let running: Running;
    try {
      running = heraldFor(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      log(`configuration error: ${error.message}`);
      return Response.json({ error: { code: "config_error", message: error.message } }, { status: 500 });
    }
    // The request's own queries (storing the delivery) and its waitUntil run share one budget.
    return requestBackground.run(background(env, ctx, running, budgetFrom(running)), () => running.app.fetch(request, env, ctx));
  },

  async queue(batch, env, _ctx) {
    const running = heraldFor(env);
    const run = await running.herald.pipeline({ queries: budgetFrom(running) });
    // Another runner holds the lease: try these messages again shortly so nothing waits for the cron.
    if (!run.ran) return batch.retryAll({ delaySeconds: 5 });
    batch.ackAll();
    await carryOn(env, run);
  },

  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(
      Promise.resolve()
        .then(async () => {
          const running = heraldFor(env);
          await carryOn(env, await running.herald.pipeline({ timers: true, queries: budgetFrom(running) }));
        })
        .catch((error: Error) => log(`cron sweep failed: ${error.message}`)),
    );
  },
} satisfies ExportedHandler<Env, PipelineMessage>;

// The deployment's Herald is built as the isolate starts, and rehearses a page, rather than in the
// isolate's first request: there, with Herald's code running for the first time, building it cost
// a first GET /healthz some 50 ms of workerd's thread and a first P1 page some 74 ms (now some 5.5
// and 25 ms; bench:workerd-cpu), against Cloudflare's 10 ms a request on the free plan. A Worker's
// start has a limit of its own (1 s), and no I/O, timers or random values. What cannot be built now
// (a configuration error, say) is built, or answered as the error it is, by each request.
let started: Running | undefined;
try {
  started = heralds.start(startEnv as unknown as Env);
} catch (error) {
  if (!(error instanceof ConfigError)) log(`could not build Herald as the isolate started (each request will try): ${(error as Error).message}`);
}
try {
  started?.herald.rehearse();
} catch (error) {
  log(`the rehearsal at the isolate's start failed (nothing was stored or sent): ${(error as Error).message}`);
}
