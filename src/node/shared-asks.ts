// The server thread's asks for background runs, counted in memory it shares with the background
// thread. A message per ask, or even per turn of the event loop, costs the server thread a copy and
// the thread a wake-up each time; a count costs an atomic add, and the thread reads what came
// since whenever it wakes, at most once every `restMs`.

const ALL = 0;
const URGENT = 1;
const TIMERS = 2;
const SLOTS = 3;

/** The asks counted since the thread last looked. */
export interface Asks {
  /** Every ask, the two kinds below among them. */
  all: number;
  /** Asks for a new P1/P2's work. */
  urgent: number;
  /** Asks that also want the timers run (a start, the timers' own tick). */
  timers: number;
}

/** The memory the counts live in; give it to the thread in its workerData. */
export function createAskCounts(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
}

/** Counts one ask and wakes the thread should it be waiting for one. */
export function countAsk(counts: Int32Array, reason: string, urgent: boolean): void {
  if (urgent) Atomics.add(counts, URGENT, 1);
  if (reason === "timers" || reason === "start") Atomics.add(counts, TIMERS, 1);
  // Last: the thread wakes on this slot, and finds the others counted already.
  Atomics.add(counts, ALL, 1);
  Atomics.notify(counts, ALL);
}

export interface AskWatch {
  /** Hands over what was counted since the last look, if anything, at once. */
  takeNow(): void;
  stop(): void;
}

/**
 * On the background thread: hands `take` the asks counted since it last did, each time some come,
 * at most once every `restMs` (asks meanwhile are handed over together). Counts from before the
 * watch began are not handed over: a thread that starts looks in the store for the work left.
 */
export function watchAsks(counts: Int32Array, take: (asks: Asks) => void, restMs = 2): AskWatch {
  const seen = [Atomics.load(counts, ALL), Atomics.load(counts, URGENT), Atomics.load(counts, TIMERS)];
  let stopped = false;
  const takeNow = () => {
    const now = [Atomics.load(counts, ALL), Atomics.load(counts, URGENT), Atomics.load(counts, TIMERS)];
    // Differences modulo 2^32, so a count that wraps around still reads right.
    const [all = 0, urgent = 0, timers = 0] = now.map((n, i) => (n - seen[i]!) | 0);
    if (all === 0) return;
    seen.splice(0, SLOTS, ...now);
    take({ all, urgent, timers });
  };
  const loop = async () => {
    while (!stopped) {
      const last = seen[ALL]!;
      const wait = Atomics.waitAsync(counts, ALL, last);
      if (wait.async) await wait.value;
      if (stopped) return;
      takeNow();
      await new Promise((resolve) => setTimeout(resolve, restMs));
    }
  };
  void loop();
  return {
    takeNow,
    stop() {
      stopped = true;
      // Ends the wait of the loop above (a count of nothing, so no ask is made up).
      Atomics.notify(counts, ALL);
    },
  };
}
