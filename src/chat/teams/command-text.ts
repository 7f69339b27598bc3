import type { Activity } from "./activity.js";
import { mentionsOf } from "./activity.js";

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&nbsp;": " " };

/**
 * The words of a message as Herald's grammar reads them: Herald's own mention (`<at>Herald</at>`)
 * taken off, other people's mentions written in the chat markup (only where the
 * activity's entities say who they are, so typed text can never name someone) as `<@id>`, the HTML Teams wraps
 * text in removed, and an optional leading `incident`.
 */
export function commandText(activity: Activity, botId: string | null): string {
  const mentions = mentionsOf(activity);
  let text = activity.text ?? "";
  for (const mention of mentions) {
    const isHerald = mention.id === botId || mention.id === activity.recipient?.id;
    // The id only: a name may hold spaces, and the grammar reads words (the name is looked up).
    const markup = isHerald ? " " : ` <@${mention.id.replace(/[\s|<>]/g, "")}> `;
    // The entity's text, or the person's name in `<at>` (Teams' own samples differ in the `@`).
    for (const form of new Set([mention.text, `<at>${mention.name}</at>`, mention.text.replace("<at>@", "<at>")])) {
      text = text.split(form).join(`\u0000${markup}\u0000`);
    }
  }
  const plain = text
    .replace(/<at>[^<]*<\/at>/gi, " ")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/?(?:p|div|span|b|i|strong|em)[^>]*>/gi, "")
    .replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e]!);
  // Mentions made above stay whole; anything else that looks like one (typed) is taken apart.
  const parts = plain.split("\u0000").map((part, i) => (i % 2 === 1 ? part : part.replace(/<@/g, "< @")));
  return parts.join("").replace(/\s+/g, " ").trim().replace(/^incident\b\s*/i, "");
}
