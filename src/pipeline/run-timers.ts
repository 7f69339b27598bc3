import type { Config } from "../config/schema.js";
import type { Incident } from "../domain/incident.js";
import { dueReminders } from "../domain/reminders.js";
import type { Clock } from "../ports/clock.js";
import type { IncidentStore, NewEffect } from "../ports/store.js";
import { incidentView } from "../render/incident-view.js";
import type { Renderer } from "../render/renderer.js";
import { queriesLeftForTimers, type QueryBudget } from "./query-budget.js";

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
 *
 * On a Worker it stays within the invocation's `queries` (D1 refuses past them, a whole batch at
 * once): it stops where they run out, and the reminders still due are queued by the next tick, as
 * each one queued is marked on its incident's record.
 */
export async function runTimers(deps: { store: IncidentStore; config: Config; renderer: Renderer; clock: Clock }, queries?: QueryBudget): Promise<number> {
  const now = deps.clock.now();
  // Post-mortem reminders go on after the resolve, for a fortnight.
  const resolvedSince = new Date(now.getTime() - 14 * 86_400_000).toISOString();
  let queued = 0;
  let cursor: string | null = null;
  do {
    if (queriesLeftForTimers(queries) < 1) break;
    const page = await deps.store.pageIncidents({ status: "open", resolvedSince, limit: PAGE, cursor });
    const done = await queueReminders(page.items, now, deps, queries);
    queued += done.queued;
    if (!done.all) break;
    cursor = page.next;
    if (cursor) await new Promise((resolve) => setTimeout(resolve, 0));
  } while (cursor);
  return queued;
}

/** The due reminders of these incidents, queued; `all` is false when the queries ran out first. */
async function queueReminders(
  candidates: Incident[],
  now: Date,
  deps: { store: IncidentStore; config: Config; renderer: Renderer },
  queries: QueryBudget | undefined,
): Promise<{ queued: number; all: boolean }> {
  const due = dueReminders(candidates, now, {
    postmortemRequiredFor: deps.config.postmortem_required_for,
    roleReminderMinutes: deps.config.role_reminder_minutes,
    updateReminderMinutes: deps.config.update_reminder_minutes,
  });
  if (due.length === 0) return { queued: 0, all: true };
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
  let queued = 0;
  for (let i = 0; i < entries.length; ) {
    // At most a statement for each incident and each post: the store may pack the posts tighter.
    const left = queriesLeftForTimers(queries);
    let spent = 0;
    let size = 0;
    while (i + size < entries.length && size < WRITE_CHUNK) {
      const cost = 1 + entries[i + size]!.effects.length;
      if (spent + cost > left) break;
      spent += cost;
      size++;
    }
    if (size === 0) return { queued, all: false };
    const chunk = entries.slice(i, i + size);
    await deps.store.saveIncidents(chunk.map((e) => e.incident), chunk.flatMap((e) => e.effects), now.toISOString());
    queued += chunk.reduce((sum, e) => sum + e.effects.length, 0);
    i += size;
  }
  return { queued, all: true };
}
