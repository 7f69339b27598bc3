import type { Config } from "../config/schema.js";
import type { Incident } from "../domain/incident.js";
import { dueReminders } from "../domain/reminders.js";
import type { Clock } from "../ports/clock.js";
import type { IncidentStore, NewEffect } from "../ports/store.js";
import { incidentView } from "../render/incident-view.js";
import type { Renderer } from "../render/renderer.js";

/** Incidents looked at per page: on the worst day thousands are open, and each page is read whole. */
const PAGE = 250;
/**
 * Incidents written per transaction, with their reminders' posts. A page's worth at once (some 20 ms
 * on SQLite) would hold the write lock that Node's webhook acknowledgements wait for.
 */
const WRITE_CHUNK = 25;

/**
 * The timer tick: finds the reminders that are due (check-ins, missing roles) and queues their
 * posts with the incidents' changes, a page of incidents at a time, written a few incidents to a
 * transaction (each incident's change with its reminders' posts).
 * Between pages it lets other work (requests) have the event loop. Runs under the pipeline's lease.
 */
export async function runTimers(deps: { store: IncidentStore; config: Config; renderer: Renderer; clock: Clock }): Promise<number> {
  const now = deps.clock.now();
  // Post-mortem reminders go on after the resolve, for a fortnight.
  const resolvedSince = new Date(now.getTime() - 14 * 86_400_000).toISOString();
  let queued = 0;
  let cursor: string | null = null;
  do {
    const page = await deps.store.pageIncidents({ status: "open", resolvedSince, limit: PAGE, cursor });
    queued += await queueReminders(page.items, now, deps);
    cursor = page.next;
    if (cursor) await new Promise((resolve) => setTimeout(resolve, 0));
  } while (cursor);
  return queued;
}

async function queueReminders(candidates: Incident[], now: Date, deps: { store: IncidentStore; config: Config; renderer: Renderer }): Promise<number> {
  const due = dueReminders(candidates, now, {
    postmortemRequiredFor: deps.config.postmortem_required_for,
    roleReminderMinutes: deps.config.role_reminder_minutes,
    updateReminderMinutes: deps.config.update_reminder_minutes,
  });
  if (due.length === 0) return 0;
  const incidents = new Map<string, { incident: Incident; effects: NewEffect[] }>();
  for (const reminder of due) {
    const view = { ...incidentView(reminder.incident, deps.config), ...reminder.data };
    const entry = incidents.get(reminder.incident.id) ?? { incident: reminder.incident, effects: [] };
    entry.effects.push({
      key: reminder.key,
      incidentId: reminder.incident.id,
      payload: { kind: "post_message", to: "incident", template: reminder.template, text: deps.renderer.render(reminder.template, view) },
    });
    incidents.set(reminder.incident.id, entry);
  }
  const entries = [...incidents.values()];
  for (let i = 0; i < entries.length; i += WRITE_CHUNK) {
    const chunk = entries.slice(i, i + WRITE_CHUNK);
    await deps.store.saveIncidents(chunk.map((e) => e.incident), chunk.flatMap((e) => e.effects), now.toISOString());
  }
  return due.length;
}
