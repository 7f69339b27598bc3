import { withoutBidiControls } from "../domain/bidi.js";
/**
 * Escapes user text for Herald's chat markup: only `&`, `<` and `>`, so it can neither ping nor
 * link. The chat markup is what chat templates and replies are written in, and each platform renders
 * it: `*bold*`, `_italic_`, `` `code` ``, `<@id|name>` a person, `<#id>` a channel, `<url|label>` a
 * link, `:emoji:`, and `&amp;`, `&lt;`, `&gt;` for the three characters. Slack reads it as mrkdwn
 * as it is; the console turns it into HTML.
 */
export function escapeChat(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes user text for Markdown documents: characters that would start formatting, links or HTML. */
export function escapeMarkdown(text: string): string {
  return MARKDOWN_SPECIAL.test(text) ? text.replace(MARKDOWN_SPECIALS, "\\$&") : text;
}

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
