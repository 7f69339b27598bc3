/** The paging service (PagerDuty) as the incident process uses it. */
export interface PagingService {
  /** "draft": no credentials; calls are recorded on the effect instead of made. */
  readonly platform: "pagerduty" | "draft";
  /** Adds a note to the incident; returns the note's id. */
  addNote(pagerdutyIncidentId: string, content: string): Promise<{ id: string }>;
  /** A note on the incident with exactly this content, if one is there (a retry after a lost answer looks first). */
  findNote(pagerdutyIncidentId: string, content: string): Promise<{ id: string } | null>;
  /** Opens an incident (one declared in chat); `incidentKey` makes a repeat open the same one. */
  createIncident(incident: {
    title: string;
    serviceId: string;
    priorityId: string | null;
    incidentKey: string;
    details: string;
  }): Promise<{ id: string; url: string | null; number: number | null }>;
  /** The incident opened with this incident_key (Herald's id), if any: a retry after a lost answer finds it. */
  findIncidentByKey(incidentKey: string): Promise<{ id: string; url: string | null; number: number | null } | null>;
  /** A service's id by its name (as PagerDuty shows it), or null when there is none. */
  findService(name: string): Promise<string | null>;
  /** A priority's id by its name (P1…), or null when there is none (priorities may be off). */
  findPriority(name: string): Promise<string | null>;
  /** A PagerDuty user's email (to find them in chat), or null when there is none or PagerDuty no longer has the user. */
  userEmail(pagerdutyUserId: string): Promise<string | null>;
  /** Resolves the incident, with the resolution note. */
  resolve(pagerdutyIncidentId: string, resolution: string): Promise<void>;
  /**
   * Publishes to a status page: the first update opens a post (an incident post), later ones are
   * updates of it; a `resolved` update closes it. Returns the post's id.
   */
  publishStatus(update: StatusUpdate): Promise<{ postId: string }>;
  /**
   * The update as an earlier attempt published it, if it landed (a retry after a lost answer looks
   * first): its post (the one given, or else an incident post with this title) holding this message.
   */
  findStatusUpdate(update: StatusUpdate): Promise<{ postId: string } | null>;
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
