import type { Background } from "../ports/background.js";

export interface InProcessBackground extends Background {
  /** Resolves when no run is going on or asked for. */
  idle(): Promise<void>;
}

/**
 * Node's background runner: one pipeline run at a time in this process; asks that arrive during a run
 * are folded into one more run after it, so a burst of webhooks costs a few runs, not one each.
 */
export function createInProcessBackground(
  run: () => Promise<unknown>,
  log: (line: string) => void,
): InProcessBackground {
  let running: Promise<void> | null = null;
  let again = false;

  const loop = async () => {
    do {
      again = false;
      try {
        await run();
      } catch (error) {
        log(`background run failed (will be retried by the next sweep): ${(error as Error).message}`);
      }
    } while (again);
    running = null;
  };

  return {
    schedule() {
      if (running) {
        again = true;
        return;
      }
      running = new Promise<void>((resolve) => setImmediate(resolve)).then(loop);
    },
    async idle() {
      while (running) await running;
    },
  };
}
