/**
 * An `application/x-www-form-urlencoded` body as an object (the last of a repeated key wins), as
 * `Object.fromEntries(new URLSearchParams(body))` gives it, in about half the time: Slack sends one
 * with every command and click, and this is on the path of every acknowledgement. A malformed
 * percent escape is kept as it stands.
 */
export function parseForm(body: string): Record<string, string> {
  // No prototype: a key such as __proto__ is only a key.
  const form: Record<string, string> = Object.create(null);
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf("&", start);
    if (end < 0) end = body.length;
    if (end > start) {
      const eq = body.indexOf("=", start);
      const hasValue = eq >= 0 && eq < end;
      form[decode(body.slice(start, hasValue ? eq : end))] = hasValue ? decode(body.slice(eq + 1, end)) : "";
    }
    start = end + 1;
  }
  return form;
}

function decode(text: string): string {
  const spaced = text.includes("+") ? text.replace(/\+/g, " ") : text;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
