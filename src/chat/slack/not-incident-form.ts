import { modal } from "./modal.js";

/** The "Not an incident" form's callback id (from the triage checklist's button). */
export const NOT_INCIDENT_CALLBACK = "not_incident";

const REASON_MAX = 2000;

/**
 * Asks why it is not an incident; the reason goes into the GitHub issue. `responseUrl` is the
 * checklist's own reply link, so the link can be posted where the checklist was.
 */
export function notIncidentFormView(channelId: string, responseUrl: string | null): Record<string, unknown> {
  return modal({
    callbackId: NOT_INCIDENT_CALLBACK,
    metadata: { channel: channelId, ...(responseUrl ? { responseUrl } : {}) },
    title: "Not an incident",
    submit: "Raise an issue",
    blocks: [
      {
        type: "input",
        block_id: "reason",
        label: { type: "plain_text", text: "Why is it not an incident?" },
        hint: { type: "plain_text", text: "Herald raises a GitHub issue with your reason and posts its link." },
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: REASON_MAX },
      },
    ],
  });
}

export function readNotIncidentForm(
  values: Record<string, Record<string, Record<string, unknown>>>,
): { ok: true; reason: string } | { ok: false; errors: Record<string, string> } {
  const value = values.reason?.value?.value;
  const reason = typeof value === "string" ? value.trim() : "";
  return reason ? { ok: true, reason } : { ok: false, errors: { reason: "Say why this is not an incident." } };
}
