import type { Effect, OutboxStore } from "../ports/store.js";

/** Why an effect was skipped when its incident had no room to act in. */
export const NO_ROOM = "the incident has no channel";

/** What was skipped for want of a room goes again with the room when it is tried again. */
const FOR_WANT_OF_A_ROOM = { kind: "create_channel", reason: NO_ROOM } as const;

export type TryAgain =
  | { status: "queued"; effect: Effect; alongWith: string[] }
  | { status: "not_found" }
  | { status: "not_failed"; effect: Effect };

/**
 * Queues a dead letter again, as a person asks once what made it fail is fixed (a token, a
 * permission, a vendor back after a long outage). Herald looks for what an earlier attempt made
 * before it acts, as on any retry, so nothing is made twice. When the incident's room is what
 * failed, what was skipped for want of it (its posts, its topic, the invitations) goes again
 * too, after the room in its lane (`alongWith`).
 */
export async function tryAgain(store: Pick<OutboxStore, "getEffect" | "skippedAfter" | "requeueEffects">, key: string, at: string): Promise<TryAgain> {
  const effect = await store.getEffect(key);
  if (!effect) return { status: "not_found" };
  if (effect.status !== "failed") return { status: "not_failed", effect };
  const skipped = effect.payload.kind === FOR_WANT_OF_A_ROOM.kind ? await store.skippedAfter(key, FOR_WANT_OF_A_ROOM) : [];
  await store.requeueEffects([key, ...skipped], at);
  const now = await store.getEffect(key);
  // Another request put it back first: the same for the person asking.
  return { status: "queued", effect: now ?? effect, alongWith: skipped };
}

/**
 * Queues every dead letter again at once, as after an outage longer than Herald's hour of retries,
 * with what was skipped for want of a room; how many of each.
 */
export async function tryAllAgain(store: Pick<OutboxStore, "requeueFailedEffects">, at: string): Promise<{ failed: number; alongWith: number }> {
  return store.requeueFailedEffects(at, FOR_WANT_OF_A_ROOM);
}
