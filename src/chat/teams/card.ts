import type { ChatButton } from "../../ports/chat.js";
import { fitText } from "../fit-text.js";
import { decodeEntities, emoji, markupTokens } from "../markup-tokens.js";
import { messageParts } from "../message-parts.js";

/** Teams shows cards up to 28 KB; Herald keeps a margin for the activity around the card. */
export const CARD_LIMIT_BYTES = 27 * 1024;
/** Adaptive Cards 1.4: what Teams desktop and mobile both render. */
const CARD_VERSION = "1.4";

export interface TeamsMention {
  type: "mention";
  text: string;
  mentioned: { id: string; name: string };
}

export interface RenderedCard {
  card: Record<string, unknown>;
  mentions: TeamsMention[];
}

/** A Teams user id (`29:…`, or an Azure AD object id): only these become real mentions. */
const TEAMS_USER = /^(?:29:[^\s|<>]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

// Invisible, and enough to stop a character starting Markdown, a link or an `<at>` mention.
const ZWSP = "\u200B";

/**
 * User text in a card: shown as written, never as formatting, a link or a mention. Each character
 * that could start one is followed by a zero-width space, which breaks the syntax without showing.
 */
export function plainCardText(text: string): string {
  return text.replace(/[*_~`[\]<>\\]/g, (c) => `${c}${ZWSP}`).replace(/^(\s*)([-+]|\d+\.)/gm, `$1$2${ZWSP}`);
}

/**
 * A message in Herald's chat markup as an Adaptive Card (1.4): its heading, paragraphs and facts
 * (see chat/message-parts.ts), buttons as Action.Submit carrying the action and value back, people
 * as real Teams mentions (`<at>` text with its entity; typed text can never make one), within 28 KB.
 */
export function toAdaptiveCard(markup: string, buttons: ChatButton[] = []): RenderedCard {
  let limit = 20_000;
  for (;;) {
    const rendered = render(fitText(markup, limit), buttons);
    if (new TextEncoder().encode(JSON.stringify(rendered.card)).byteLength <= CARD_LIMIT_BYTES || limit < 500) return rendered;
    limit = Math.floor(limit / 2);
  }
}

function render(markup: string, buttons: ChatButton[]): RenderedCard {
  const mentions = new Map<string, TeamsMention>();
  const inline = (line: string): string =>
    markupTokens(line)
      .map((token) => {
        switch (token.kind) {
          case "text":
            return plainCardText(decodeEntities(token.text));
          case "code":
            return plainCardText(decodeEntities(token.text));
          case "person": {
            const name = decodeEntities(token.name ?? token.id).replace(/[<>]/g, "");
            if (!TEAMS_USER.test(token.id)) return plainCardText(`@${name}`);
            const text = `<at>${name}</at>`;
            mentions.set(token.id, { type: "mention", text, mentioned: { id: token.id, name } });
            return text;
          }
          case "room":
            return plainCardText(`#${decodeEntities(token.name ?? token.ref.replace(/^[a-z]+:/, ""))}`);
          case "special":
            return plainCardText(`@${token.name}`);
          case "link": {
            const url = decodeEntities(token.url);
            const label = plainCardText(decodeEntities(token.label ?? token.url));
            return /^https?:\/\/[^\s()<>]+$/.test(url) ? `[${label}](${url})` : label;
          }
          case "bold":
            return `**${inline(token.inner)}**`;
          case "italic":
            return `_${inline(token.inner)}_`;
          case "strike":
            return inline(token.inner);
          case "emoji":
            return emoji(token.name);
        }
      })
      .join("");
  const parts = messageParts(markup);
  const body: Record<string, unknown>[] = [];
  if (parts.heading) {
    const icon = parts.icon ? `${emoji(parts.icon)} ` : "";
    body.push({ type: "TextBlock", text: `${icon}${inline(parts.heading)}`, weight: "Bolder", size: "Medium", wrap: true });
  }
  for (const block of parts.blocks) {
    if (block.kind === "text") {
      body.push({ type: "TextBlock", text: block.markup.split("\n").map((l) => inline(l.replace(/^>/, ""))).join("\n\n"), wrap: true });
    } else {
      body.push({ type: "FactSet", facts: block.fields.map((f) => ({ title: plainCardText(decodeEntities(f.label)), value: inline(f.value) })) });
    }
  }
  if (body.length === 0) body.push({ type: "TextBlock", text: " ", wrap: true });
  const card: Record<string, unknown> = {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: CARD_VERSION,
    body,
    ...(buttons.length
      ? { actions: buttons.map((b) => ({ type: "Action.Submit", title: b.label.slice(0, 75), data: { action: b.actionId, value: b.value } })) }
      : {}),
    ...(mentions.size ? { msteams: { entities: [...mentions.values()] } } : {}),
  };
  return { card, mentions: [...mentions.values()] };
}

/** The activity attachment for a card. */
export function cardAttachment(card: Record<string, unknown>) {
  return { contentType: "application/vnd.microsoft.card.adaptive", content: card };
}
