/** The paging service (PagerDuty) as the incident process uses it. */
export interface PagingService {
  /** "draft": no credentials; calls are recorded on the effect instead of made. */
  readonly platform: "pagerduty" | "draft";
  /** Adds a note to the incident; returns the note's id. */
  addNote(pagerdutyIncidentId: string, content: string): Promise<{ id: string }>;
  /** Opens an incident (one declared in chat); `incidentKey` makes a repeat open the same one. */
  createIncident(incident: {
    title: string;
    serviceId: string;
    priorityId: string | null;
    incidentKey: string;
    details: string;
  }): Promise<{ id: string; url: string | null; number: number | null }>;
  /** Resolves the incident, with the resolution note. */
  resolve(pagerdutyIncidentId: string, resolution: string): Promise<void>;
  /**
   * Publishes to a status page: the first update opens a post (an incident post), later ones are
   * updates of it; a `resolved` update closes it. Returns the post's id.
   */
  publishStatus(update: StatusUpdate): Promise<{ postId: string }>;
}

export interface StatusUpdate {
  statusPageId: string;
  postId: string | null;
  title: string;
  message: string;
  /** The status page's status, by its name (investigating, resolved…). */
  status: string;
  /** The status page's severity, by its name (minor, major…); the first one when none matches. */
  severity: string;
}
