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
  const errors = mostFrequentErrors(backlog.effects.errors);
  const waitedLong = (since: string | null) => since !== null && now.getTime() - Date.parse(since) > BEHIND_AFTER_MS;
  const behind = backlog.effects.retrying > 0 || waitedLong(backlog.effects.dueSince) || waitedLong(backlog.deliveries.oldestReceivedAt);
  return { ...backlog, effects: { ...backlog.effects, errors }, behind };
}

/** How many kinds of error are told. */
const ERRORS_TOLD = 3;

/**
 * The errors counted together by their shape, the most frequent first: one outage fails each
 * incident's call with its own id in the text ("PagerDuty POST /incidents/PT4KHLK/notes: HTTP
 * 503"), and that is one error, told by its latest text.
 */
function mostFrequentErrors(errors: Backlog["effects"]["errors"]): Backlog["effects"]["errors"] {
  const byShape = new Map<string, Backlog["effects"]["errors"][number]>();
  for (const e of errors) {
    const shape = errorShape(e.error);
    const seen = byShape.get(shape);
    const latest = seen && seen.lastAt >= e.lastAt ? seen : e;
    byShape.set(shape, { error: latest.error, count: (seen?.count ?? 0) + e.count, lastAt: latest.lastAt });
  }
  return [...byShape.values()].sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt)).slice(0, ERRORS_TOLD);
}

/**
 * An error's text with what differs from one call to the next masked: a word with a digit in it (an
 * id, a time, an address, a port) unless it is a short number such as an HTTP status, and an id of
 * capitals in a path (PagerDuty's need not have a digit).
 */
export function errorShape(error: string): string {
  return error
    .replace(/\/[A-Z0-9]{5,}(?=[/\s:?]|$)/g, "/…")
    .replace(/[\w.:@-]*\d[\w.:@-]*/g, (word) => (/^\d{1,3}\W*$/.test(word) ? word : "…"));
}
