/** Runs the background pipeline soon after a request; how depends on the runtime. */
export interface Background {
  /** Asks for a pipeline run; never throws, never waits for it. */
  schedule(reason: string): void;
}
