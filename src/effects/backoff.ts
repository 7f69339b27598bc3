/**
 * Attempts before an effect is given up as failed (and shown as such on the incident): with the
 * waits below, about an hour (67 minutes) of trying, so that a vendor down for that long loses
 * nothing: Herald carries on where it stopped once the vendor answers again.
 */
export const MAX_ATTEMPTS = 15;

/** Seconds to wait before attempt `attempts + 1`: 2, 4, 8, … capped at 10 minutes, or what the vendor asked. */
export function retryDelaySeconds(attempts: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) return Math.min(retryAfterSeconds, 3600);
  return Math.min(2 ** Math.max(attempts, 1), 600);
}
