/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

/** Emoji names the templates use, as the characters a browser shows. */
const EMOJI: Record<string, string> = {
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

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };
const decode = (text: string) => text.replace(/&(?:amp|lt|gt);/g, (e) => ENTITIES[e]!);

// One token of the chat markup at a time: code, people and channels, links, bold, italic, strike, emoji.
const TOKEN =
  /`([^`\n]+)`|<([@#!])([^|>\s]+)(?:\|([^>]*))?>|<((?:https?:\/\/|mailto:)[^|>\s]+)(?:\|([^>]*))?>|\*([^*\n]+)\*|(?<![\p{L}\p{N}])_([^_\n]+)_(?![\p{L}\p{N}])|~([^~\n]+)~|:([a-z0-9_+-]+):/gu;

/** Where a room link goes, for a channel reference in the markup. */
export type RoomHref = (reference: string) => string | null;

/**
 * Herald's chat markup as HTML for the console. Every piece of text goes out through JSX, which
 * escapes it, so user text (escaped in the markup already) never becomes markup, a link or a ping.
 */
export function Markup(props: { text: string; roomHref: RoomHref }): Child {
  const blocks: Child[] = [];
  const lines = props.text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("```")) {
      const code: string[] = [line.slice(3)];
      let closed = line.length > 3 && line.endsWith("```");
      while (!closed && i + 1 < lines.length) {
        code.push(lines[++i]!);
        closed = lines[i]!.endsWith("```");
      }
      blocks.push(<pre>{decode(code.join("\n").replace(/```$/, ""))}</pre>);
      continue;
    }
    if (line.startsWith(">")) {
      blocks.push(<blockquote>{inline(line.slice(1), props.roomHref)}</blockquote>);
      continue;
    }
    blocks.push(<p>{line === "" ? <br /> : inline(line, props.roomHref)}</p>);
  }
  return <div class="markup">{blocks}</div>;
}

/** One line of the chat markup (a heading, a field's value) as inline HTML. */
export function InlineMarkup(props: { text: string; roomHref: RoomHref }): Child {
  return <>{inline(props.text, props.roomHref)}</>;
}

/** The character for an emoji name, or the name as written. */
export function emoji(name: string): string {
  return EMOJI[name] ?? `:${name}:`;
}

function inline(text: string, roomHref: RoomHref): Child[] {
  const out: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) out.push(decode(text.slice(last, m.index)));
    last = m.index + m[0].length;
    const [, code, sigil, ref, label, url, urlLabel, bold, italic, strike, emojiName] = m;
    if (code !== undefined) out.push(<code>{decode(code)}</code>);
    else if (sigil === "@") out.push(<span class="person">@{decode(label || ref!.replace(/^@/, ""))}</span>);
    else if (sigil === "#") {
      const name = decode(label || ref!.replace(/^[a-z]+:/, ""));
      const href = roomHref(ref!);
      out.push(href ? <a class="room" href={href}>#{name}</a> : <span class="room">#{name}</span>);
    } else if (sigil === "!") out.push(`@${ref}`);
    else if (url !== undefined) {
      out.push(
        <a href={decode(url)} rel="noopener noreferrer" target="_blank">
          {decode(urlLabel || url)}
        </a>,
      );
    } else if (bold !== undefined) out.push(<strong>{inline(bold, roomHref)}</strong>);
    else if (italic !== undefined) out.push(<em>{inline(italic, roomHref)}</em>);
    else if (strike !== undefined) out.push(<s>{inline(strike, roomHref)}</s>);
    else out.push(EMOJI[emojiName!] ?? `:${emojiName}:`);
  }
  if (last < text.length) out.push(decode(text.slice(last)));
  return out;
}
