import { ConfigError } from "../errors.js";
import { defaultConfigText } from "../generated/default-config.js";
import { createHerald, type Herald } from "../herald.js";
import type { Background } from "../ports/background.js";
import { systemClock } from "../ports/clock.js";
import { readSettings } from "../settings.js";
import { createD1Store } from "../store/d1-store.js";
import type { Env, PipelineMessage } from "./env.js";

const log = (line: string) => console.error(`[herald] ${line}`);

// Built once per isolate and per bindings object; requests only bring their own ExecutionContext.
const heralds = new WeakMap<Env, Herald>();

function heraldFor(env: Env): Herald {
  let herald = heralds.get(env);
  if (!herald) {
    herald = createHerald({
      store: createD1Store(env.DB),
      configText: env.HERALD_CONFIG_YAML ?? defaultConfigText,
      configSource: env.HERALD_CONFIG_YAML ? "HERALD_CONFIG_YAML" : "herald.yaml",
      env: env as unknown as Record<string, unknown>,
      settings: readSettings(env as unknown as Record<string, unknown>),
      clock: systemClock,
      log,
      print: (line) => console.log(line),
    });
    heralds.set(env, herald);
  }
  return herald;
}

/** With a Queue: a message per stored delivery. Without: the pipeline runs after the response. */
function background(env: Env, ctx: ExecutionContext, herald: Herald): Background {
  return {
    schedule(reason) {
      const work = env.PIPELINE_QUEUE
        ? env.PIPELINE_QUEUE.send({ reason })
        : herald.pipeline().then(() => undefined);
      ctx.waitUntil(work.catch((error: Error) => log(`background: ${error.message}; the cron sweep will retry`)));
    },
  };
}

export default {
  async fetch(request, env, ctx) {
    let herald: Herald;
    try {
      herald = heraldFor(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      log(`configuration error: ${error.message}`);
      return Response.json({ error: { code: "config_error", message: error.message } }, { status: 500 });
    }
    return herald.app(background(env, ctx, herald)).fetch(request, env, ctx);
  },

  async queue(batch, env, _ctx) {
    const run = await heraldFor(env).pipeline();
    // Another runner holds the lease: try these messages again shortly so nothing waits for the cron.
    if (run.ran) batch.ackAll();
    else batch.retryAll({ delaySeconds: 5 });
  },

  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(
      Promise.resolve()
        .then(() => heraldFor(env).pipeline({ timers: true }))
        .catch((error: Error) => log(`cron sweep failed: ${error.message}`)),
    );
  },
} satisfies ExportedHandler<Env, PipelineMessage>;
