import type { EffectAttempt } from "../ports/chat.js";
import type { Effect } from "../ports/store.js";

/**
 * An effect as a call made for it knows it: its key, and whether an earlier attempt may have landed
 * (a crash, a timeout, a lost answer), so that what it made is looked for before it is made again.
 */
export function attemptOf(effect: Effect): EffectAttempt {
  return { key: effect.key, triedBefore: effect.attempts > 0, since: effect.createdAt };
}
