import type { Config } from "../../config/schema.js";
import type { DeclareDetails } from "../../domain/chat-command.js";

/** The action a submitted declare card carries back. */
export const DECLARE_SUBMIT = "declare_submit";

/**
 * The declare form as an Adaptive Card (process step 2): title, description, the impacted service,
 * the priority with its definition, and whether to tell users now; submitted, it comes back as a
 * message activity whose `value` holds the inputs and `action: declare_submit`.
 */
export function declareCard(config: Config): Record<string, unknown> {
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.4",
    body: [
      { type: "TextBlock", text: "Declare an incident", weight: "Bolder", size: "Medium", wrap: true },
      { type: "Input.Text", id: "title", label: "Title", isRequired: true, maxLength: 150, errorMessage: "Give the incident a meaningful title." },
      { type: "Input.Text", id: "description", label: "Description", isMultiline: true, maxLength: 3000 },
      {
        type: "Input.ChoiceSet",
        id: "service",
        label: "Impacted service",
        isRequired: true,
        style: "compact",
        errorMessage: "Choose the impacted service.",
        choices: config.services.map((s) => ({ title: s.name, value: s.key })),
      },
      {
        type: "Input.ChoiceSet",
        id: "priority",
        label: "Priority",
        isRequired: true,
        style: "expanded",
        errorMessage: "Choose a priority.",
        choices: config.priorities.map((p) => ({ title: `${p.name}: ${p.description}`, value: p.name })),
      },
      { type: "Input.Toggle", id: "notify_ask", title: "Notify users now in the ask channel", value: "false" },
      { type: "Input.Toggle", id: "notify_update", title: "Notify users now in the update channel", value: "false" },
    ],
    actions: [{ type: "Action.Submit", title: "Declare", data: { action: DECLARE_SUBMIT } }],
  };
}

/** A submitted declare card, checked: the incident's details, or what is wrong in words. */
export function readDeclareCard(value: Record<string, unknown>, config: Config): { ok: true; details: DeclareDetails } | { ok: false; error: string } {
  const text = (key: string) => (typeof value[key] === "string" ? (value[key] as string).trim() : "");
  const problems: string[] = [];
  const title = text("title");
  if (!title) problems.push("Give the incident a meaningful title.");
  else if (title.length > 150) problems.push("Keep the title to 150 characters.");
  const description = text("description");
  if (description.length > 3000) problems.push("Keep the description to 3,000 characters.");
  const service = config.services.find((s) => s.key === text("service"));
  if (!service) problems.push("Choose the impacted service.");
  const priority = config.priorities.find((p) => p.name === text("priority"));
  if (!priority) problems.push("Choose a priority.");
  if (problems.length) return { ok: false, error: problems.join(" ") };
  const notify = (["ask", "update"] as const).filter((to) => text(`notify_${to}`) === "true");
  return { ok: true, details: { title, description: description || null, service: service!.key, priority: priority!.name, notify } };
}
