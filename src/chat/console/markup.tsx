/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

import { decodeEntities as decode, emoji, markupTokens } from "../markup-tokens.js";

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

export { emoji };

function inline(text: string, roomHref: RoomHref): Child[] {
  return markupTokens(text).map((token): Child => {
    switch (token.kind) {
      case "text":
        return decode(token.text);
      case "code":
        return <code>{decode(token.text)}</code>;
      case "person":
        return <span class="person">@{decode(token.name || token.id.replace(/^@/, ""))}</span>;
      case "room": {
        const name = decode(token.name || token.ref.replace(/^[a-z]+:/, ""));
        const href = roomHref(token.ref);
        return href ? <a class="room" href={href}>#{name}</a> : <span class="room">#{name}</span>;
      }
      case "special":
        return `@${token.name}`;
      case "link":
        return (
          <a href={decode(token.url)} rel="noopener noreferrer" target="_blank">
            {decode(token.label || token.url)}
          </a>
        );
      case "bold":
        return <strong>{inline(token.inner, roomHref)}</strong>;
      case "italic":
        return <em>{inline(token.inner, roomHref)}</em>;
      case "strike":
        return <s>{inline(token.inner, roomHref)}</s>;
      case "emoji":
        return emoji(token.name);
    }
  });
}
