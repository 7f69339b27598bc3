import type { EffectAttempt } from "../ports/chat.js";
import type { Effect } from "../ports/store.js";

/** How much a vendor's clock may be behind Herald's: what an effect made is looked for from this long before it was queued. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * An effect as a call made for it knows it: its key, and whether an earlier attempt may have landed
 * (a crash, a timeout, a lost answer), so that what it made is looked for before it is made again,
 * back to `since`: when it was queued, less the clocks' possible difference.
 */
export function attemptOf(effect: Effect): EffectAttempt {
  return { key: effect.key, triedBefore: effect.attempts > 0, since: new Date(Date.parse(effect.createdAt) - CLOCK_SKEW_MS).toISOString() };
}
