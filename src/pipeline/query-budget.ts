/**
 * The store's queries an invocation may still make (D1 counts each statement, batches included,
 * and refuses past 50 per invocation on the free plan, 1,000 on Workers Paid), and where the
 * runtime limits them, its outbound calls (a Worker's subrequests: 50 per invocation on the free
 * plan). A run takes on a delivery or an effect only while one more, and the run's own last
 * queries, still fit.
 */
export interface QueryBudget {
  /** Queries made so far in this invocation (its requests' too). */
  used(): number;
  limit: number;
  /** Outbound calls (fetch) made so far in this invocation, and how many it may make. */
  subrequests?: { used(): number; limit: number };
}

/** Queries reserved for one delivery or one effect: more than one usually makes (a read or two, its commit). */
const QUERIES_PER_ITEM = 12;
/** What a run still asks after its last item: the lease renewed and released, the next page of work. */
const QUERIES_TO_END_A_RUN = 6;
/**
 * Outbound calls reserved for one effect: a room takes up to four (create, invite, topic, and a
 * look for one an earlier attempt made); a call the platform refuses past its limit fails like a
 * network error, and the effect is tried again in a later invocation.
 */
const SUBREQUESTS_PER_ITEM = 5;

/**
 * Whether one more item, beside the `inFlight` ones already started, fits the budget with the end of
 * the run; within `share` of it (deliveries take half, so the actions of incidents already on the
 * record are not held back by a flood of new ones).
 */
export function withinBudget(budget: QueryBudget | undefined, inFlight = 0, share = 1): boolean {
  if (!budget) return true;
  const calls = budget.subrequests;
  if (calls && calls.used() + (inFlight + 1) * SUBREQUESTS_PER_ITEM > calls.limit) return false;
  return budget.used() + (inFlight + 1) * QUERIES_PER_ITEM + QUERIES_TO_END_A_RUN <= budget.limit * share;
}

/** What a new turn of a run asks before its first item, at most: the lease renewed when due (2), the next pages of deliveries (1) and effects (2). */
const QUERIES_TO_START_A_TURN = 5;

/**
 * Whether a run may start another turn: its reads and then one item still fit. Without this, a turn
 * could spend its queries finding work that no longer fits (a new incident's follow-ups, say), and
 * leave it for the next invocation all the same.
 */
export function roomForAnotherTurn(budget: QueryBudget | undefined): boolean {
  if (!budget) return true;
  return withinBudget({ ...budget, used: () => budget.used() + QUERIES_TO_START_A_TURN });
}

/**
 * The queries the timers may still spend on reminders: what is left once the run keeps enough for a
 * turn after them and its end (so the reminders' posts, and deliveries that wait, can go on in the
 * same invocation or the next). Unbounded without a budget.
 */
export function queriesLeftForTimers(budget: QueryBudget | undefined): number {
  if (!budget) return Number.POSITIVE_INFINITY;
  return budget.limit - budget.used() - QUERIES_TO_START_A_TURN - QUERIES_TO_END_A_RUN;
}
