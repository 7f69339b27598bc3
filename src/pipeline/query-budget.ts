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

/** Queries reserved for one delivery or one effect: more than one usually makes (a read or two, its commit). */
const QUERIES_PER_ITEM = 12;
/** What a run still asks after its last item: the lease renewed and released, the next page of work. */
const QUERIES_TO_END_A_RUN = 6;

/**
 * Whether one more item, beside the `inFlight` ones already started, fits the budget with the end of
 * the run; within `share` of it (deliveries take half, so the actions of incidents already on the
 * record are not held back by a flood of new ones).
 */
export function withinBudget(budget: QueryBudget | undefined, inFlight = 0, share = 1): boolean {
  return !budget || budget.used() + (inFlight + 1) * QUERIES_PER_ITEM + QUERIES_TO_END_A_RUN <= budget.limit * share;
}
