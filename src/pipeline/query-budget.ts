/**
 * The store's queries an invocation may still make (D1 counts each statement, batches included,
 * and refuses past 50 per invocation on the free plan, 1,000 on Workers Paid). A run takes on a
 * delivery or an effect only while one more, and the run's own last queries, still fit.
 */
export interface QueryBudget {
  /** Queries made so far in this invocation (its requests' too). */
  used(): number;
  limit: number;
}

/** The most queries one delivery's processing or one effect may make (a room, a note, a commit). */
export const QUERIES_PER_ITEM = 12;
/** What a run still asks after its last item: the lease renewed and released, the next page of work. */
const QUERIES_TO_END_A_RUN = 6;

/** Whether one more item, beside the `inFlight` ones already started, fits the budget with the end of the run. */
export function withinBudget(budget: QueryBudget | undefined, inFlight = 0): boolean {
  return !budget || budget.used() + (inFlight + 1) * QUERIES_PER_ITEM + QUERIES_TO_END_A_RUN <= budget.limit;
}
