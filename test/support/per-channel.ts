/**
 * Calls or messages grouped by where they went, each group in order. Herald keeps order per target
 * (an incident's room, its announcements) and works targets side by side, so tests compare this
 * rather than one interleaving of them.
 */
export function perChannel<T>(items: T[], channelOf: (item: T) => unknown = (item) => (item as unknown[])[0]): Record<string, T[]> {
  const groups: Record<string, T[]> = {};
  for (const item of items) (groups[String(channelOf(item))] ??= []).push(item);
  return groups;
}
