/** Escapes user text for Slack mrkdwn: only `&`, `<` and `>`, so it can neither ping nor link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes user text for Markdown documents: characters that would start formatting, links or HTML. */
export function escapeMarkdown(text: string): string {
  return MARKDOWN_SPECIAL.test(text) ? text.replace(MARKDOWN_SPECIALS, "\\$&") : text;
}

const MARKDOWN_SPECIAL = /[\\`*_{}[\]<>()#|!~]/;
const MARKDOWN_SPECIALS = /[\\`*_{}[\]<>()#|!~]/g;

export type RenderTarget = "mrkdwn" | "markdown" | "text";

const escapers: Record<RenderTarget, (text: string) => string> = {
  mrkdwn: escapeMrkdwn,
  markdown: escapeMarkdown,
  text: (text) => text,
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
