/**
 * A message in Herald's chat markup, read as the neutral structure every platform can render: a
 * heading (with its emoji), then, in order, runs of text and of fields (`*Label:* value` lines), and
 * the buttons beside it. Slack shows the markup as it is; the console and Teams cards render these
 * parts (a heading, paragraphs, a list of facts).
 */
export interface MessageParts {
  /** The emoji name the heading starts with (`rotating_light`), if any. */
  icon: string | null;
  /** The first line, when it starts with a bold headline; in the chat markup. */
  heading: string | null;
  blocks: ({ kind: "text"; markup: string } | { kind: "fields"; fields: { label: string; value: string }[] })[];
}

const HEADING = /^(?::([a-z0-9_+-]+):\s+)?(\*[^*\n]+\*.*)$/;
const FIELD = /^\*([^*\n:]{1,40}):\*\s+(.+)$/;

export function messageParts(markup: string): MessageParts {
  const lines = markup.split("\n");
  const first = HEADING.exec(lines[0] ?? "");
  const parts: MessageParts = { icon: first?.[1] ?? null, heading: first ? first[2]! : null, blocks: [] };
  for (const line of first ? lines.slice(1) : lines) {
    const field = FIELD.exec(line);
    const last = parts.blocks.at(-1);
    if (field) {
      const entry = { label: field[1]!, value: field[2]! };
      if (last?.kind === "fields") last.fields.push(entry);
      else parts.blocks.push({ kind: "fields", fields: [entry] });
    } else if (last?.kind === "text") {
      last.markup += `\n${line}`;
    } else if (line.trim() !== "") {
      parts.blocks.push({ kind: "text", markup: line });
    }
  }
  return parts;
}
