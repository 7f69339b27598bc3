import { withoutBidiControls } from "../domain/bidi.js";
/**
 * Escapes user text for Herald's chat markup, so it can neither ping, link nor format: `&`, `<` and
 * `>` as `&amp;`, `&lt;`, `&gt;`, and the formatting signs `*`, `_`, `~` and `` ` `` as `&#42;`,
 * `&#95;`, `&#126;`, `&#96;`. The chat markup is what chat templates and replies are written in,
 * and each platform renders it: `*bold*`, `_italic_`, `` `code` ``, `<@id|name>` a person, `<#id>`
 * a channel, `<url|label>` a link, `:emoji:`, and those entities for the characters. Slack reads it
 * as mrkdwn once the formatting signs are given back (Slack formats them as it always does); the
 * console and Teams read the markup first and decode the entities after, so user text shows as
 * written.
 */
export function escapeChat(text: string): string {
  return text.replace(CHAT_SPECIALS, (c) => CHAT_ENTITIES[c]!);
}

const CHAT_SPECIALS = /[&<>*_~`]/g;
const CHAT_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "*": "&#42;", _: "&#95;", "~": "&#126;", "`": "&#96;" };

/**
 * Escapes user text for Markdown documents, where it lands in headings, table cells and list items:
 * characters that would start formatting, links or HTML are escaped; line breaks become spaces (a
 * break would end a heading or a table row, and a next line could start a heading, a rule or a list);
 * and a list marker or number at the start is escaped so a list item cannot become another list.
 */
export function escapeMarkdown(text: string): string {
  const oneLine = LINE_BREAKS.test(text) ? text.replace(LINE_BREAKS_ALL, " ") : text;
  const escaped = MARKDOWN_SPECIAL.test(oneLine) ? oneLine.replace(MARKDOWN_SPECIALS, "\\$&") : oneLine;
  return escaped.replace(LEADING_BLOCK_MARKER, "$1$3\\$2$4");
}

const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]/;
const LINE_BREAKS_ALL = /\s*[\r\n\v\f\u0085\u2028\u2029]+\s*/g;
/** `- x`, `+ x`, `= x`, `1. x`, `1) x` at the start of the text. */
const LEADING_BLOCK_MARKER = /^(?:(\s*)([-+=])|(\s*\d+)([.)]))(?=\s|$)/;

const MARKDOWN_SPECIAL = /[\\`*_{}[\]<>()#|!~]/;
const MARKDOWN_SPECIALS = /[\\`*_{}[\]<>()#|!~]/g;

export type RenderTarget = "chat" | "markdown" | "text";

// Bidirectional controls never reach any target (see domain/bidi.ts).
const escapers: Record<RenderTarget, (text: string) => string> = {
  chat: (text) => escapeChat(withoutBidiControls(text)),
  markdown: (text) => escapeMarkdown(withoutBidiControls(text)),
  text: withoutBidiControls,
};

/** Returns a copy of `value` with every string escaped for the target; the data is escaped, not the template. */
export function escapeDeep<T>(value: T, target: RenderTarget): T {
  const escape = escapers[target];
  // An object met twice (a timeline entry that is also a decision, say) is escaped once.
  const done = new Map<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return escape(v);
    if (!v || typeof v !== "object") return v;
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    let copy: unknown;
    if (Array.isArray(v)) {
      copy = v.map(walk);
    } else {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) out[key] = walk((v as Record<string, unknown>)[key]);
      copy = out;
    }
    done.set(v, copy);
    return copy;
  };
  return walk(value) as T;
}
