import { URGENT_EXTRA_MS, type PipelineRun } from "../pipeline/run-pipeline.js";
import type { Background } from "../ports/background.js";

export interface InProcessBackground extends Background {
  /** Resolves when no run is going on or asked for. */
  idle(): Promise<void>;
  /** Takes no more work: the run going on finishes its calls in flight and stops; the rest stays in the store. */
  stop(): void;
}

export interface SliceOptions {
  /** How long one slice of background work may hold the event loop. */
  sliceMs: number;
  /** While requests keep arriving, the pause between slices in which only requests are served. */
  yieldMs: number;
  /**
   * With no requests arriving, how long a run may go (a backlog is worked off in fewer, longer runs).
   * Should requests start arriving during such a run, it stops once it has gone `sliceMs`.
   */
  idleMs?: number;
}

// Under a flood of deliveries the background gets about a fortieth of the CPU; idle, all of it.
const DEFAULT_SLICES: SliceOptions = { sliceMs: 10, yieldMs: 390, idleMs: 100 };

/**
 * Node's background runner: one pipeline run at a time in this process, in short slices. Asks that
 * arrive during a run are folded into one more run. Acknowledging webhooks comes first: while they
 * keep arriving, background work takes a slice and then pauses, so a burst is acknowledged at full
 * speed and its work follows (a backlog waits safely in the store).
 */
export function createInProcessBackground(
  run: (options: { budgetMs: number; timers: boolean; urgentExtraMs: number; yieldNow: () => boolean; pause: () => Promise<void> }) => Promise<PipelineRun | unknown>,
  log: (line: string) => void,
  slices: SliceOptions = DEFAULT_SLICES,
): InProcessBackground {
  let running: Promise<void> | null = null;
  let again = false;
  let asked = 0;
  let timersDue = false;
  let stopped = false;
  // Asks for urgent work (a new P1/P2), counted like `asked`.
  let urgentAsked = 0;
  // Where both counts stood when the last run began: what arrived since is the run's to weigh.
  let askedAtRun = 0;
  let urgentAtRun = 0;
  // Whether requests kept arriving during the last run: then runs are short slices.
  let busyBefore = true;
  // Ends the pause between slices early: a new P1/P2 does not wait out the rest of it.
  let wake: (() => void) | null = null;

  /**
   * A new P1/P2 goes past the slicing: its run follows at once and may go on past its slice. Only
   * while urgent work is rare among what arrives: when most of a flood is P1s, urgency means
   * nothing, and the flood is paced like any other.
   */
  const urgentNow = () => {
    const urgent = urgentAsked - urgentAtRun;
    return urgent > 0 && urgent * 10 <= Math.max(10, asked - askedAtRun);
  };

  const loop = async () => {
    do {
      again = false;
      const extra = urgentNow();
      askedAtRun = asked;
      urgentAtRun = urgentAsked;
      try {
        const timers = timersDue;
        timersDue = false;
        const budgetMs = busyBefore ? slices.sliceMs : (slices.idleMs ?? slices.sliceMs);
        // A long run gives the thread back once requests come: a burst arriving after a quiet spell
        // is not held up behind the rest of it.
        const sliceEnd = performance.now() + slices.sliceMs;
        const yieldNow = () => asked - askedAtRun > 1 && performance.now() >= sliceEnd;
        const result = (await run({ budgetMs, timers, urgentExtraMs: extra ? URGENT_EXTRA_MS : 0, yieldNow, pause: nextTurn })) as Partial<PipelineRun> | undefined;
        if (timers && result && "ran" in result && !result.ran) timersDue = true;
        if (result?.more) again = true;
      } catch (error) {
        log(`background run failed (will be retried by the next sweep): ${(error as Error).message}`);
      }
      const busy = asked - askedAtRun > 1;
      busyBefore = busy;
      if (again && busy && !urgentNow() && !stopped) await restBetweenSlices(slices.yieldMs);
    } while (again && !stopped);
    running = null;
  };

  // Between two items of a run: requests read meanwhile are served before the next.
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  const restBetweenSlices = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  return {
    schedule(reason, options) {
      if (stopped) return;
      asked++;
      if (options?.urgent) urgentAsked++;
      if (reason === "timers" || reason === "start") timersDue = true;
      if (running) {
        again = true;
        if (urgentNow()) wake?.();
        return;
      }
      running = new Promise<void>((resolve) => setImmediate(resolve)).then(loop);
    },
    async idle() {
      while (running) await running;
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
}
