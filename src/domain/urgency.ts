import type { ChatRequest } from "./chat-request.js";

/**
 * The order background work is done in, most urgent first: a new P1 or P2 incident, then any new
 * incident, then the rest. Only an incident's first event is moved ahead of older work: its later
 * events keep their order behind the ones before them (PagerDuty's events carry the whole incident,
 * so one overtaking another would put an old state back on the record).
 */
export type Urgency = 0 | 1 | 2;

export const URGENT_PRIORITIES: readonly string[] = ["P1", "P2"];

export function isUrgentPriority(priority: string | null | undefined): boolean {
  return priority != null && URGENT_PRIORITIES.includes(priority);
}

/** A new incident (PagerDuty's `incident.triggered`, a declare in chat) ahead of the backlog; P1/P2 first. */
export function newIncidentUrgency(priority: string | null | undefined): Urgency {
  return isUrgentPriority(priority) ? 0 : 1;
}

/** A chat request's place in the queue: a declare opens an incident, everything else waits its turn. */
export function requestUrgency(request: ChatRequest): Urgency {
  if (!request.asked.ok || request.asked.command.name !== "declare") return 2;
  return newIncidentUrgency(request.asked.command.quick?.priority);
}
