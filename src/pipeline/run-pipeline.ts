import { EFFECTS_PER_PASS, LANES_AT_ONCE, runEffects, type EffectDeps } from "../effects/run-effects.js";
import { processDelivery, type ProcessDeps } from "./process-delivery.js";
import { readingIncidentsOnce } from "./incident-cache.js";
import { roomForAnotherTurn, withinBudget, type QueryBudget } from "./query-budget.js";
import { runTimers } from "./run-timers.js";
import type { Delivery, DueQuery, Effect, LeaseStore } from "../ports/store.js";

export type PipelineDeps = ProcessDeps & EffectDeps & {
  store: LeaseStore;
  /** Names this runner; each run adds its own id, so two runs of one isolate never share the lease. */
  holder: string;
};

const LEASE = "pipeline";
const LEASE_SECONDS = 60;
/**
 * Between turns a run renews its lease only once half of it has gone. A run ends well inside the
 * lease (see DEFAULT_BUDGET_MS), so renewing every turn spent a write (two D1 queries, one round
 * trip) on each turn for nothing; a run held up for long still renews, or finds the lease taken and
 * stops, before its next turn.
 */
const RENEW_AFTER_MS = (LEASE_SECONDS * 1000) / 2;
const BATCH = 50;
/** The share of a run's time and queries deliveries may take before effects have their turn. */
const DELIVERIES_SHARE = 0.5;
/**
 * New P1/P2 deliveries a run may still take past the deliveries' share of its time. Measured on 2
 * cores: unbounded, 30 s after a flood of P1 pages 232 chat calls were made; 8, 1,386; 2, 2,700; none,
 * 4,556, but then a P1 among other traffic was announced later (p50 0.9–1.3 s against 0.7–0.8 s).
 */
const URGENT_PAST_HALF = 2;
// A run ends within its budget plus one outbound call's timeout (10 s), well inside the lease, and
// inside the 30 s a Worker's ctx.waitUntil keeps running.
const DEFAULT_BUDGET_MS = 20_000;
/** How far past its budget a run may carry a new P1/P2's work. */
export const URGENT_EXTRA_MS = 250;

export interface PipelineRun {
  /** False when another runner held the lease; its own run covers the work. */
  ran: boolean;
  deliveries: number;
  effects: number;
  /** True when the run stopped at its time or query budget with work left. */
  more: boolean;
}

export interface PipelineOptions {
  /** The invocation's query budget (Workers); without one, a run is bounded by time only. */
  queries?: QueryBudget;
  /** Stop after about this long and report `more` (default 20 s); Node runs short slices between requests. */
  budgetMs?: number;
  /** How far past the budget a P1/P2's work may go (default 250 ms; Node gives it to one run at a time). */
  urgentExtraMs?: number;
  /** Run the timer tick first (reminders): on the minute's cron, or Node's sweep. */
  timers?: boolean;
  /**
   * True when the host wants its thread back before the budget is spent (Node: requests began
   * arriving during a long run). The run then stops as at its budget; a P1/P2's work still goes on.
   */
  yieldNow?: () => boolean;
  /**
   * Lets the host serve what has arrived between two items (Node: one turn of the event loop, as
   * the store's reads answer at once and a run would otherwise keep the thread from one write to
   * the next).
   */
  pause?: () => Promise<void>;
}

/**
 * The background work: puts stored deliveries on the record in the order they arrived, and carries
 * out due effects. One runner at a time (a lease in the store), so every runtime can call it freely
 * from a queue, a timer or after a request.
 */
export async function runPipeline(shared: PipelineDeps, options: PipelineOptions = {}): Promise<PipelineRun> {
  // Under the lease this run is the only writer of incidents: each is read from the store once.
  const deps = { ...shared, store: readingIncidentsOnce(shared.store) };
  const run: PipelineRun = { ran: false, deliveries: 0, effects: 0, more: false };
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const start = deps.clock.now().getTime();
  const until = start + budget;
  // Deliveries get the first half of the budget and effects the rest.
  const deliveriesUntil = start + budget * DELIVERIES_SHARE;
  const yieldNow = options.yieldNow ?? (() => false);
  const outOfTime = () => deps.clock.now().getTime() >= until || yieldNow();
  // A P1/P2's work may run past the budget by this much, so its announcement is not sliced up
  // (and a flood of P1s still leaves the rest of the time to requests).
  const urgentUntil = until + (options.urgentExtraMs ?? URGENT_EXTRA_MS);
  const holder = `${deps.holder}/${crypto.randomUUID()}`;
  // When the lease was last renewed, read before the renewal: it runs at least until then plus LEASE_SECONDS.
  let renewedAt = deps.clock.now().getTime();
  /**
   * Where the host takes no turn between items (Workers), the lanes that begin at once are marked
   * started with the read (on D1 a round trip fewer before their calls): as many as the
   * invocation's queries let be in flight together, none once the run's time is up.
   */
  const startLanes = options.pause
    ? undefined
    : (queries: number) => {
        if (outOfTime()) return 0;
        const budget = options.queries;
        const counted = budget && { ...budget, used: () => budget.used() + queries };
        let lanes = 0;
        while (lanes < LANES_AT_ONCE && withinBudget(counted, lanes)) lanes++;
        return lanes;
      };
  /** What `runEffects` reads first, asked with another read or write so that it costs no round trip of its own. */
  const dueNow = (): DueQuery => ({ limit: EFFECTS_PER_PASS, now: deps.clock.now().toISOString(), startLanes });
  // A turn's reads, when they came with another round trip: the lease's, or the turn before's.
  let reads: { pending: Delivery[]; due: Effect[] | null } | null = null;
  if (options.timers) {
    // The timers go before the first page of deliveries is read.
    if (!(await renewLease(deps, holder))) return run;
  } else {
    const pending = await deps.store.acquireLeaseWithPending(LEASE, holder, ...leaseTimes(deps), BATCH);
    if (!pending) return run;
    reads = { pending, due: null };
  }
  run.ran = true;
  // Until the last look gives the lease up.
  let held = true;
  try {
    if (options.timers) {
      await runTimers(deps, options.queries);
      // Retention can wait a minute: it goes only while the invocation's queries still fit an item.
      if (withinBudget(options.queries)) await prune(deps);
    }
    // Deliveries and effects take turns, so a flood of deliveries cannot hold back the chat calls
    // of the incidents already on the record (and the reverse).
    let urgentPastHalf = 0;
    for (;;) {
      // The deliveries, and with them the due effects, which go to work at once if none is pending.
      const { pending, due: dueWithPending } = reads ?? (await deps.store.pendingAndDue(BATCH, dueNow()));
      reads = null;
      let due = pending.length === 0 ? dueWithPending : null;
      let processed = 0;
      for (const [index, delivery] of pending.entries()) {
        // At least one per turn, however short the budget, so every turn makes progress. Past their
        // half, deliveries give way to effects, but for two more new P1/P2s a run: a few that came
        // together start together, and a flood of them cannot take whole runs while no
        // announcement goes out.
        const now = deps.clock.now().getTime();
        if (processed > 0 && !withinBudget(options.queries, 0, DELIVERIES_SHARE)) break;
        if (processed > 0 && (now >= deliveriesUntil || yieldNow())) {
          if (delivery.urgency !== 0 || now >= urgentUntil || urgentPastHalf >= URGENT_PAST_HALF) break;
          urgentPastHalf++;
        }
        // The query budget is firm: past it the store refuses the rest of the invocation.
        if (!withinBudget(options.queries)) {
          run.deliveries += processed;
          run.more = true;
          return run;
        }
        // The turn's last delivery reads the due effects with its commit.
        due = await processDelivery(delivery, deps, deps.clock.now().toISOString(), index === pending.length - 1 ? dueNow() : undefined);
        processed++;
        await options.pause?.();
      }
      run.deliveries += processed;
      const effects = await runEffects(deps, { until, urgentUntil, yieldNow, pause: options.pause, queries: options.queries, due: due ?? undefined });
      run.effects += effects.finished;
      if (processed === pending.length && pending.length < BATCH && !effects.more) {
        if (!roomForAnotherTurn(options.queries)) return run;
        // A last look, which gives the lease up in the same transaction if it finds nothing: a
        // delivery stored while this run worked, whose own run found the lease taken and left,
        // is this run's to take. One stored after it finds the lease free.
        const last = await deps.store.pendingAndDue(BATCH, dueNow(), { name: LEASE, holder });
        if (last.released) {
          held = false;
          return run;
        }
        reads = last;
      }
      if (outOfTime() || !roomForAnotherTurn(options.queries)) {
        run.more = true;
        return run;
      }
      const now = deps.clock.now().getTime();
      if (now - renewedAt >= RENEW_AFTER_MS) {
        renewedAt = now;
        if (!(await renewLease(deps, holder))) return run;
      }
    }
  } finally {
    if (held) await deps.store.releaseLease(LEASE, holder);
  }
  return run;
}

/** Rows pruned per tick: a backlog of old bodies goes over a few ticks instead of one long write. */
const PRUNE_BATCH = 500;

/** Retention: old raw bodies and finished payloads go (see `retention_days`). */
async function prune(deps: PipelineDeps): Promise<void> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - deps.config.retention_days * 86_400_000).toISOString();
  const pruned = await deps.store.prune(before, now.toISOString(), PRUNE_BATCH);
  if (pruned.deliveries || pruned.effects) deps.log(`retention: dropped the bodies of ${pruned.deliveries} deliveries and ${pruned.effects} finished actions older than ${deps.config.retention_days} days`);
}

async function renewLease(deps: PipelineDeps, holder: string): Promise<boolean> {
  return deps.store.acquireLease(LEASE, holder, ...leaseTimes(deps));
}

/** Now, and when a lease taken now runs out. */
function leaseTimes(deps: PipelineDeps): [now: string, until: string] {
  const now = deps.clock.now();
  return [now.toISOString(), new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString()];
}
