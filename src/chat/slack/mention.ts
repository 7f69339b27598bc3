/**
 * The command in an `@Herald …` message: the words after the first mention, without a leading
 * `incident` (DESIGN.md's `@Herald incident …` form and the shorter `@Herald …` both work).
 */
export function mentionCommandText(text: string): string {
  const mention = /<@[A-Z0-9]+(?:\|[^>]*)?>/.exec(text);
  const after = mention ? text.slice(mention.index + mention[0].length) : text;
  return after.trim().replace(/^incident(?:\s+|$)/i, "");
}
