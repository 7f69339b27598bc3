/**
 * Effects of one incident on different vendors run side by side: a post queued when GitHub answers
 * (the follow-up's link) may reach the room before or after one queued meanwhile (the status draft).
 * Puts the follow-up link right after the draft when it came first, so a test can state one order.
 */
export function followUpAfterDraft<T>(posts: T[], text: (post: T) => string): T[] {
  const link = posts.findIndex((p) => text(p).includes("Follow-up for the permanent fix"));
  const draft = posts.findIndex((p) => text(p).includes("Status page: the resolution is pending"));
  if (link < 0 || draft < 0 || link > draft) return posts;
  const reordered = [...posts];
  const [moved] = reordered.splice(link, 1);
  reordered.splice(draft, 0, moved!);
  return reordered;
}
