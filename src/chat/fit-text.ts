/** What a text cut to fit a platform's limit ends with, so nobody takes it for the whole. */
export const CUT_MARKER = "… (cut; the full text is in the incident log)";

/**
 * The text within `max` characters (UTF-16 code units, as Slack counts): as it is when it fits, else
 * cut with a visible marker. The cut never splits a character, nor a `<…>` mention, channel or link of
 * the chat markup (a half one would show as broken markup, or link somewhere else).
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = cutText(text, Math.max(0, max - CUT_MARKER.length));
  const open = head.lastIndexOf("<");
  const kept = open > head.lastIndexOf(">") ? head.slice(0, open) : head;
  return `${kept.trimEnd()}${CUT_MARKER}`;
}

/**
 * The text's first `max` UTF-16 code units (as Slack and Microsoft Graph count a length), or one
 * fewer rather than half of a character written as two.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return text.slice(0, end);
}
