/** Runs the background pipeline soon after a request; how depends on the runtime. */
export interface Background {
  /**
   * Asks for a pipeline run; never throws, never waits for it. `urgent` (a new P1/P2 incident): the
   * run should not wait behind a flood of requests.
   */
  schedule(reason: string, options?: { urgent?: boolean }): void;
}
