import type { Backlog, Store } from "../ports/store.js";

/** How many of each queue are looked at and counted, at most (see Store.backlog). */
export const BACKLOG_COUNTED = 1_000;
/**
 * The console's front page asks every two seconds while it is open, and D1 bills the rows a query
 * reads (5 million a day on the free plan): it looks at the next 100 of each queue, 200 rows a poll
 * at most, where the API's 1,000 would be 2,000.
 */
export const CONSOLE_BACKLOG_COUNTED = 100;

/** Work due (or a delivery waiting) longer than this means Herald is behind rather than busy. */
const BEHIND_AFTER_MS = 30_000;

/** What is still to do, and whether Herald is behind: an action being tried again after failing, or work due or waiting for more than 30 s. */
export async function readBacklog(store: Pick<Store, "backlog">, now: Date, most = BACKLOG_COUNTED): Promise<Backlog & { behind: boolean }> {
  const backlog = await store.backlog(most, now.toISOString());
  const waitedLong = (since: string | null) => since !== null && now.getTime() - Date.parse(since) > BEHIND_AFTER_MS;
  const behind = backlog.effects.retrying > 0 || waitedLong(backlog.effects.dueSince) || waitedLong(backlog.deliveries.oldestReceivedAt);
  return { ...backlog, behind };
}
