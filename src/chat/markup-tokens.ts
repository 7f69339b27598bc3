/**
 * Herald's chat markup read token by token (see render/escape.ts for the markup itself), for the
 * platforms that render it into something else: the console's HTML, Teams' cards.
 */

/** Emoji names the templates use, as the characters people see. */
export const EMOJI: Record<string, string> = {
  rotating_light: "🚨",
  warning: "⚠️",
  white_check_mark: "✅",
  memo: "📝",
  bust_in_silhouette: "👤",
  ticket: "🎫",
  link: "🔗",
  lock: "🔒",
  calendar: "📅",
  alarm_clock: "⏰",
  clipboard: "📋",
  globe_with_meridians: "🌐",
  mega: "📣",
  page_facing_up: "📄",
  raising_hand: "🙋",
};

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&#42;": "*", "&#95;": "_", "&#126;": "~", "&#96;": "`" };

/** The markup's entities as the characters they stand for (after the markup is read). */
export const decodeEntities = (text: string) => text.replace(/&(?:amp|lt|gt|#42|#95|#126|#96);/g, (e) => ENTITIES[e]!);

/** The character for an emoji name, or the name as written. */
export function emoji(name: string): string {
  return EMOJI[name] ?? `:${name}:`;
}

// One token of the chat markup at a time: code, people and channels, links, bold, italic, strike, emoji.
export const MARKUP_TOKEN =
  /`([^`\n]+)`|<([@#!])([^|>\s]+)(?:\|([^>]*))?>|<((?:https?:\/\/|mailto:)[^|>\s]+)(?:\|([^>]*))?>|\*([^*\n]+)\*|(?<![\p{L}\p{N}])_([^_\n]+)_(?![\p{L}\p{N}])|~([^~\n]+)~|:([a-z0-9_+-]+):/gu;

/** A piece of one line of the markup. Text is still in the markup (entities not yet decoded). */
export type MarkupToken =
  | { kind: "text"; text: string }
  | { kind: "code"; text: string }
  | { kind: "person"; id: string; name: string | null }
  | { kind: "room"; ref: string; name: string | null }
  | { kind: "special"; name: string }
  | { kind: "link"; url: string; label: string | null }
  | { kind: "bold" | "italic" | "strike"; inner: string }
  | { kind: "emoji"; name: string };

/** The tokens of one line of the markup, in order. */
export function markupTokens(line: string): MarkupToken[] {
  const out: MarkupToken[] = [];
  let last = 0;
  for (const m of line.matchAll(MARKUP_TOKEN)) {
    if (m.index > last) out.push({ kind: "text", text: line.slice(last, m.index) });
    last = m.index + m[0].length;
    const [, code, sigil, ref, label, url, urlLabel, bold, italic, strike, emojiName] = m;
    if (code !== undefined) out.push({ kind: "code", text: code });
    else if (sigil === "@") out.push({ kind: "person", id: ref!, name: label || null });
    else if (sigil === "#") out.push({ kind: "room", ref: ref!, name: label || null });
    else if (sigil === "!") out.push({ kind: "special", name: ref! });
    else if (url !== undefined) out.push({ kind: "link", url, label: urlLabel || null });
    else if (bold !== undefined) out.push({ kind: "bold", inner: bold });
    else if (italic !== undefined) out.push({ kind: "italic", inner: italic });
    else if (strike !== undefined) out.push({ kind: "strike", inner: strike });
    else out.push({ kind: "emoji", name: emojiName! });
  }
  if (last < line.length) out.push({ kind: "text", text: line.slice(last) });
  return out;
}

/**
 * The markup as plain text on one line, as a person reads it: formatting signs gone, people and
 * rooms by name, links by their label, emoji as characters, entities decoded. For quoting a message
 * elsewhere as text (escaped again there), where its pings and links must not work twice.
 */
export function markupAsText(markup: string): string {
  const words = (line: string): string =>
    markupTokens(line)
      .map((token) => {
        switch (token.kind) {
          case "text":
          case "code":
            return decodeEntities(token.text);
          case "person":
            return `@${decodeEntities(token.name || token.id.replace(/^@/, ""))}`;
          case "room":
            return `#${decodeEntities(token.name || token.ref.replace(/^[a-z]+:/, ""))}`;
          case "special":
            return `@${token.name}`;
          case "link":
            return decodeEntities(token.label || token.url);
          case "bold":
          case "italic":
          case "strike":
            return words(token.inner);
          case "emoji":
            return emoji(token.name);
        }
      })
      .join("");
  return markup
    .split("\n")
    .map((line) => words(line.replace(/^>/, "").replace(/```/g, "")))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}
