import { runEffects, type EffectDeps } from "../effects/run-effects.js";
import { processDelivery, type ProcessDeps } from "./process-delivery.js";

export type PipelineDeps = ProcessDeps & EffectDeps & { holder: string };

const LEASE = "pipeline";
const LEASE_SECONDS = 60;
const BATCH = 50;

export interface PipelineRun {
  /** False when another runner held the lease; its own run covers the work. */
  ran: boolean;
  deliveries: number;
  effects: number;
}

/**
 * The background work: puts stored deliveries on the record in the order they arrived, then carries
 * out due effects. One runner at a time (a lease in the store), so every runtime can call it freely
 * from a queue, a timer or after a request.
 */
export async function runPipeline(deps: PipelineDeps): Promise<PipelineRun> {
  const run: PipelineRun = { ran: false, deliveries: 0, effects: 0 };
  if (!(await renewLease(deps))) return run;
  run.ran = true;
  try {
    for (;;) {
      const pending = await deps.store.pendingDeliveries(BATCH);
      for (const delivery of pending) {
        await processDelivery(delivery, deps, deps.clock.now().toISOString());
        run.deliveries++;
      }
      if (pending.length < BATCH) break;
      if (!(await renewLease(deps))) return run;
    }
    run.effects = await runEffects(deps);
  } finally {
    await deps.store.releaseLease(LEASE, deps.holder);
  }
  return run;
}

async function renewLease(deps: PipelineDeps): Promise<boolean> {
  const now = deps.clock.now();
  return deps.store.acquireLease(
    LEASE,
    deps.holder,
    now.toISOString(),
    new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString(),
  );
}
