import type { Incident } from "../domain/incident.js";
import type { DeliveryStore, IncidentStore, OutboxStore } from "../ports/store.js";

type WritesIncidents = Pick<IncidentStore, "getIncident" | "saveIncidents"> & Pick<DeliveryStore, "commitProcessed"> & Pick<OutboxStore, "finishEffect">;

/**
 * A pipeline run's view of the store that reads each incident once. Incidents are written only by
 * the pipeline (processing a delivery, an effect's outcome, the timers), and one run at a time holds
 * the lease, so what this run wrote is what the store holds: later reads are served from what was
 * read or written. A write the store refuses forgets the incident, so the next read goes to the store.
 * Each read gets its own copy, as a read from the store would.
 */
export function readingIncidentsOnce<T extends WritesIncidents>(store: T): T {
  const known = new Map<string, Incident | null>();
  const remember = (incident: Incident) => {
    known.set(incident.id, incident);
    if (incident.pagerdutyId) known.set(incident.pagerdutyId, incident);
  };
  const forget = (incidents: Incident[]) => {
    for (const incident of incidents) {
      known.delete(incident.id);
      if (incident.pagerdutyId) known.delete(incident.pagerdutyId);
    }
  };
  /** Writes, then remembers what was written; on a refusal forgets it. */
  const writing = async (incidents: Incident[], write: () => Promise<void>) => {
    try {
      await write();
    } catch (error) {
      forget(incidents);
      throw error;
    }
    incidents.forEach(remember);
  };
  const overrides: Partial<WritesIncidents> = {
    async getIncident(id) {
      if (!known.has(id)) {
        const read = await store.getIncident(id);
        if (read) remember(read);
        // Not there: nor will it be until this run writes it (and then it is remembered).
        else known.set(id, null);
      }
      const incident = known.get(id);
      return incident ? structuredClone(incident) : null;
    },
    commitProcessed: (result) => writing(result.incidents, () => store.commitProcessed(result)),
    saveIncidents: (incidents, effects, at) => writing(incidents, () => store.saveIncidents(incidents, effects, at)),
    finishEffect: (key, outcome, at, record, startNext) =>
      writing(record ? [record.incident] : [], () => store.finishEffect(key, outcome, at, record, startNext)),
  };
  return new Proxy(store, {
    get: (target, name, receiver) => (name in overrides ? overrides[name as keyof WritesIncidents] : Reflect.get(target, name, receiver)),
  });
}
