import type { TimelineCategory } from "./incident.js";
import { TIMELINE_CATEGORIES } from "./incident.js";

/** A note may start with its scribe-log category, as Herald's own notes do: `decision: roll back`. */
export function splitCategory(content: string): { category: TimelineCategory; text: string } {
  const match = /^\s*(event|discussion|decision|action|result)\s*:\s*/i.exec(content);
  if (!match) return { category: "event", text: content };
  const category = match[1]!.toLowerCase() as TimelineCategory;
  return TIMELINE_CATEGORIES.includes(category)
    ? { category, text: content.slice(match[0].length) }
    : { category: "event", text: content };
}
