/** Escapes user text for Slack mrkdwn: only `&`, `<` and `>`, so it can neither ping nor link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes user text for Markdown documents: characters that would start formatting, links or HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#|!~]/g, (c) => `\\${c}`);
}

export type RenderTarget = "mrkdwn" | "markdown" | "text";

const escapers: Record<RenderTarget, (text: string) => string> = {
  mrkdwn: escapeMrkdwn,
  markdown: escapeMarkdown,
  text: (text) => text,
};

/** Returns a copy of `value` with every string escaped for the target; the data is escaped, not the template. */
export function escapeDeep<T>(value: T, target: RenderTarget): T {
  const escape = escapers[target];
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return escape(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
