import type { ChatButton } from "./chat.js";
import type { Urgency } from "../domain/urgency.js";
import type { ChatRequest } from "../domain/chat-request.js";
import type { HeraldChange } from "../domain/incident-event.js";
import type { ChatChannel, Incident, Person, TimelineEntry } from "../domain/incident.js";

export interface Delivery {
  id: string;
  /** pagerduty, or the chat platform a request came from. */
  source: string;
  webhookId: string | null;
  receivedAt: string;
  /** The raw body as received (kept for audit; a webhook's is what is processed). */
  body: string;
  /** A chat request, as its platform's route translated it: what is processed. */
  request: ChatRequest | null;
  processedAt: string | null;
  /** Processed before less urgent ones (0 first; see domain/urgency.ts). */
  urgency?: Urgency;
  /** The PagerDuty incident it is about, where its route read one (a webhook's). */
  subject?: string | null;
  /**
   * A page of pending deliveries reads each one's subject with it: the incident whose id or PagerDuty
   * id it is, or null for none yet (undefined: not read, as without a subject). Deliveries of one
   * page about one incident share the object: read it, do not change it.
   */
  subjectIncident?: Incident | null;
  /** The PagerDuty note it adds, where its route read one (an incident.annotated webhook's). */
  note?: string | null;
  /**
   * Whether `note` is one Herald added itself and now comes back, as a page of pending deliveries
   * reads it with them (undefined: not read, as without a note).
   */
  ownNote?: boolean;
}

/** The kind under which Herald remembers a note it added in PagerDuty, to tell its echo. */
export const OWN_PAGERDUTY_NOTE = "pagerduty_note";

export type EffectStatus = "pending" | "in_flight" | "done" | "failed" | "skipped";

export type EffectPayload =
  /** The incident's dedicated room, on its platform, named as the pattern wants it (the platform fits it). */
  | { kind: "create_channel"; name: string }
  | {
      kind: "post_message";
      /** The incident's channel, a channel (in a thread, perhaps), or a reply to whoever asked. */
      to: "incident" | { channel: string; threadId?: string } | ReplyTo;
      template: string;
      text: string;
      buttons?: ChatButton[];
      /** A users' announcement: once posted, kept on the incident and updated in place as it changes. */
      announcement?: { to: string };
      /** Pinned in its channel once posted (the incident's summary), where the platform can. */
      pin?: boolean;
      /** A form to fill in with it, where the platform shows forms in messages. */
      form?: "declare";
    }
  /** Re-renders the incident's users' announcements as it stands now, in place. */
  | { kind: "update_announcements" }
  /**
   * Prepares the pending status-page update (from its template, or the text given) and posts it for
   * review. `asker` (a person's request): where to say that the pending draft says that already.
   */
  | { kind: "status_draft"; draft: "incident" | "resolution"; message?: string; asker?: Asker }
  /** Posts the post-mortem meeting in the incident channel with its calendar invite (.ics). */
  | { kind: "postmortem_invite" }
  /** Edits the review post of a draft since replaced (the post made by effect `review`) to `text`, without its Publish button. */
  | { kind: "retire_review"; review: string; text: string }
  /**
   * Publishes the pending status-page update; with `draft` (its `preparedAt`, from a button), only
   * that one. `asker`: where the notice goes when nothing is published (nothing pending, a button
   * under a draft replaced or published already): to whoever asked alone where the platform allows,
   * else where they asked; without it, the incident's channel.
   */
  | { kind: "status_publish"; by: Person; draft?: string; asker?: Asker }
  | { kind: "pagerduty_note"; content: string }
  | { kind: "pagerduty_resolve"; resolution: string }
  | {
      kind: "github_issue";
      title: string;
      body: string;
      labels: string[];
      /** Where the link goes: by default the incident's channel, as a follow-up. */
      announce?: { channel: string; replyUrl?: string | null; template: string; data: Record<string, unknown> };
    }
  /** `names` by chat user id, to say who they are if the invitation fails (absent on effects queued before 2026-12-06). */
  | { kind: "invite"; userIds: string[]; names?: Record<string, string> }
  /** The post-mortem or runbook, rendered when the effect runs, proposed to the repository. */
  /** `asker`: where the answer to a document asked for again goes (its link was posted already): as for `status_publish`. */
  | { kind: "publish_document"; document: "postmortem" | "runbook"; asker?: Asker }
  | { kind: "set_topic"; topic: string }
  /**
   * Brings PagerDuty's assignees into the incident's room, each matched to a chat user by email where
   * the platform can; `names` by PagerDuty id, for those who are not the incident's assignees (a responder).
   */
  | { kind: "invite_assignees"; pagerdutyUserIds: string[]; names?: Record<string, string> }
  | {
      kind: "pagerduty_create";
      title: string;
      /** From herald.yaml; without one, the service is looked up in PagerDuty by `serviceName`. */
      serviceId: string | null;
      serviceName?: string | null;
      /** From herald.yaml; without one, the priority is looked up by `priority` (its name). */
      priorityId: string | null;
      priority?: string | null;
      details: string;
    };

/** A reply through the reply link that came with a request (see ChatAdapter.respond). */
export interface ReplyTo {
  replyUrl: string;
  channel: string;
  visibility: "channel" | "requester";
}

/** Where a word for the person who asked goes: to them alone through their request's reply link, else where they asked. */
export type Asker = { channel: string; threadId?: string } | ReplyTo;

export interface Effect {
  key: string;
  seq: number;
  incidentId: string;
  payload: EffectPayload;
  status: EffectStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  result: unknown;
  createdAt: string;
  updatedAt: string;
  /** 0: its incident is P1/P2 (done first, and not cut short by a run's time budget); 1: the rest. */
  urgency?: number;
  /** Marked started by the read that gave it (see `DueQuery.startLanes`): in flight now, read as it was before. */
  startedWithRead?: boolean;
  /** A `retire_review` read from the due page: its review post's result, when that post was made (no read of its own). */
  reviewPost?: unknown;
}

export interface NewEffect {
  key: string;
  incidentId: string;
  payload: EffectPayload;
}

export interface EffectOutcome {
  status: EffectStatus;
  result?: unknown;
  error?: string;
  nextAttemptAt?: string;
  /** Effects that this one's result makes necessary, queued with its outcome. */
  then?: NewEffect[];
  /** What it did for its incident (a room made, PagerDuty linked…), put on the record with its outcome. */
  recorded?: HeraldChange[];
}

export interface LocalMessage {
  id: string;
  channelId: string;
  channelName: string;
  idempotencyKey: string | null;
  /** In Herald's chat markup. */
  text: string;
  postedAt: string;
  buttons?: ChatButton[];
  /** The message whose thread this one is in. */
  threadId?: string;
  /** The one person (id) who sees it: a private answer to their request. */
  visibleTo?: string;
  /** A file shared with it (a calendar invite, say). */
  file?: { filename: string; title: string; content: string };
}

export interface LocalChannel extends ChatChannel {
  topic?: string;
}

/** Everything a delivery's processing changes, written in one transaction. */
export interface ProcessedDelivery {
  deliveryId: string;
  processedAt: string;
  incidents: Incident[];
  entries: TimelineEntry[];
  effects: NewEffect[];
  error?: string;
  /**
   * Incidents whose queued effects need not be moved ahead: new ones (nothing queued yet), and those
   * P1/P2 on the record already (their effects were queued as urgent). Any other incident written
   * as P1/P2 has its queued effects moved ahead of other incidents' work, as one without this list.
   */
  aheadAlready?: string[];
}

/** The accepted webhook deliveries and chat requests, and their processing (the pipeline's input). */
export interface DeliveryStore {
  /** Stores a delivery once; false when the same delivery (id or webhook id) was stored before. */
  recordDelivery(delivery: Omit<Delivery, "processedAt" | "request" | "subjectIncident" | "ownNote"> & { request?: ChatRequest | null }): Promise<boolean>;
  /** Unprocessed deliveries, most urgent first, then in the order they arrived. */
  pendingDeliveries(limit: number): Promise<Delivery[]>;
  /**
   * Everything a delivery's processing changes: incidents, timeline entries, effects, in one
   * transaction. With `due`, the due effects as `dueEffects` reads them once it is written, in the
   * same round trip; without, null.
   */
  commitProcessed(result: ProcessedDelivery, due?: DueQuery): Promise<Effect[] | null>;
  /** Deliveries that could not be processed, newest first, a page at a time, with the reason (not their bodies). */
  failedDeliveries(query: PageQuery): Promise<Page<FailedDelivery>>;
  /**
   * Retention: drops the raw bodies of deliveries processed before `before`, and the payloads and
   * results of effects finished before it (never the rows, never a failed effect), at most `limit`
   * of each per call; says how many.
   */
  prune(before: string, at: string, limit: number): Promise<{ deliveries: number; effects: number }>;
}

/** A page of a list, and where the next one starts (null on the last). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface PageQuery {
  /** At most this many. */
  limit: number;
  /** The `next` of the page before. */
  cursor?: string | null;
}

export interface IncidentQuery extends PageQuery {
  /** Only those with one of these priorities (their names as on the record). */
  priorities?: string[];
  status?: "open" | "resolved";
  /** With status "open": those resolved (last changed) since then come too. */
  resolvedSince?: string;
}

export interface FailedDelivery {
  id: string;
  source: string;
  receivedAt: string;
  processedAt: string;
  error: string;
}

/**
 * What Herald still has to do, as the next `most` in line show it: read when people ask whether
 * Herald is behind (a vendor down, a flood), never by the pipeline.
 */
export interface Backlog {
  /** The counts stop here. */
  most: number;
  /** Deliveries accepted and not yet on the record, and when the oldest of them arrived. */
  deliveries: { waiting: number; oldestReceivedAt: string | null };
  effects: {
    /** Actions queued or under way. */
    waiting: number;
    /** Of them, those that failed before and are tried again. */
    retrying: number;
    /** Since when the longest-due of them has been due, whether it goes now or waits for its lane (null: none is due; one waiting for its retry is not). */
    dueSince: string | null;
    /**
     * What the ones tried again failed with, how many and when last, the most frequent first. The
     * store gives each text apart; `readBacklog` counts together the texts that differ only in an
     * id or a number (one outage's errors, one per incident) and keeps the three most frequent.
     */
    errors: { error: string; count: number; lastAt: string }[];
  };
}

/** The incidents and their timelines, as read by everyone and written by the projection's users. */
export interface IncidentStore {
  getIncident(idOrPagerDutyId: string): Promise<Incident | null>;
  /** Every incident, newest first (tests and small tools; the API and console page with `pageIncidents`). */
  listIncidents(): Promise<Incident[]>;
  /** A page of incidents, newest first; the cursor is opaque. */
  pageIncidents(query: IncidentQuery): Promise<Page<Incident>>;
  /** Incidents not resolved yet, the oldest first, at most `limit` of them. */
  openIncidents(limit: number): Promise<Incident[]>;
  /** Writes incidents and queues effects in one transaction (the timers' changes). */
  saveIncidents(incidents: Incident[], effects: NewEffect[], at: string): Promise<void>;
  /** The incident whose dedicated channel this is. */
  findIncidentByChannel(channelId: string): Promise<Incident | null>;
  timeline(incidentId: string): Promise<TimelineEntry[]>;
  /** A page of an incident's timeline, oldest first; the cursor is opaque. */
  timelinePage(incidentId: string, query: { limit: number; cursor?: string | null }): Promise<Page<TimelineEntry>>;
  /** The next of Herald's own incident numbers (1, 2, …), for incidents declared in chat. */
  nextIncidentNumber(): Promise<number>;
}

/** What `dueEffects` is asked: at most `limit` effects due at `now`. */
export interface DueQuery {
  limit: number;
  now: string;
  /**
   * How many lanes (see `laneOf`) begin at once, given the queries of the write (those before the
   * read, and the read's own two): the first effect of each of that many lanes of the page, in the
   * page's order, is marked started in the same transaction (as `startEffects` would mark it), and
   * comes back `startedWithRead`. On D1 that is a round trip fewer before the lanes' first calls.
   */
  startLanes?: (queries: number) => number;
}

/** The outbox: every outbound call with its attempts and outcome. */
export interface OutboxStore {
  /** Effects not yet finished (pending or in flight), due or not: a P1/P2 incident's first, then oldest first (tests and tools; the runner asks for `dueEffects`). */
  openEffects(limit: number): Promise<Effect[]>;
  /**
   * Up to `limit` effects due at `now` (pending and due, or in flight), a P1/P2 incident's first,
   * then oldest first; and with them those of the same lanes still waiting to be tried again,
   * which hold back the rest of their lanes. Effects waiting for a retry never hide due ones.
   */
  dueEffects(limit: number, now: string): Promise<Effect[]>;
  effectsFor(incidentId: string): Promise<Effect[]>;
  /** One effect by its key, or null. */
  getEffect(key: string): Promise<Effect | null>;
  /** Effects that failed for good (dead letters), newest first, a page at a time. */
  failedEffects(query: PageQuery): Promise<Page<Effect>>;
  /**
   * Queues again, due at `at`, those of these effects that ended failed or skipped and still have
   * their payload (retention drops a finished one's); the number queued. Their attempts count
   * again from one if they were tried, from none if not: known as tried, what an earlier attempt
   * made is looked for before it is made again.
   */
  requeueEffects(keys: string[], at: string): Promise<number>;
  /**
   * The keys of the effects that would go again with failed effect `key`, as `requeueFailedEffects`
   * takes them for all (skipped for `reason` after it, in its incident, when it is of `kind`), in order.
   */
  skippedAfter(key: string, skippedFor: { kind: EffectPayload["kind"]; reason: string }): Promise<string[]>;
  /**
   * Queues every failed effect again as `requeueEffects` does, with the effects skipped for the
   * `reason` that one of `kind` failing gives, queued after it in its incident; in one transaction.
   */
  requeueFailedEffects(at: string, skippedFor: { kind: EffectPayload["kind"]; reason: string }): Promise<{ failed: number; alongWith: number }>;
  /** Marks an effect as being attempted now and counts the attempt. */
  startEffect(key: string, at: string): Promise<void>;
  /** `startEffect` for several effects at once (lanes that begin side by side), in one statement. */
  startEffects(keys: string[], at: string): Promise<void>;
  /**
   * Records an attempt's outcome; with `record`, the incident as the outcome leaves it and its
   * timeline entries, in the same transaction. `startNext`, asked with the queries that write takes,
   * may name the effect to mark started (as `startEffect` does) in that same transaction: the lane's
   * next call then costs no commit of its own.
   */
  finishEffect(
    key: string,
    outcome: EffectOutcome,
    at: string,
    record?: { incident: Incident; entries: TimelineEntry[] },
    startNext?: (queries: number) => string | null,
  ): Promise<void>;
  /**
   * Records a plain outcome (done or skipped, nothing on the record, nothing queued after it) with
   * the store's next call, where a call is a round trip (D1); at once where it is not (SQLite). Until
   * then the effect reads as started; if no call follows, or that call fails, it stays so and is tried
   * again as one whose earlier attempt may have landed. A run always ends with a call of its own.
   */
  finishEffectLater(key: string, outcome: EffectOutcome, at: string): Promise<void>;
  /** Remembers something Herald made elsewhere (kind, id), so its echo can be recognised. */
  rememberExternal(kind: string, ref: string, at: string): Promise<void>;
  isKnownExternal(kind: string, ref: string): Promise<boolean>;
}

/** Named leases: one background run at a time, across processes and isolates. */
export interface LeaseStore {
  /** Takes or renews a named lease; false while someone else holds it. */
  acquireLease(name: string, holder: string, now: string, until: string): Promise<boolean>;
  /**
   * `acquireLease`, and once it is held, `pendingDeliveries(limit)`, in one round trip (a background
   * run's start): the deliveries, or null while someone else holds the lease.
   */
  acquireLeaseWithPending(name: string, holder: string, now: string, until: string, limit: number): Promise<Delivery[] | null>;
  /**
   * `pendingDeliveries(limit)` and `dueEffects(due.limit, due.now)`, in one round trip (a run's next
   * turn). With `release`, the same transaction gives that lease up if both come back empty
   * (`released`): a run's last look, after which whatever is stored is the next run's to take.
   */
  pendingAndDue(limit: number, due: DueQuery, release?: { name: string; holder: string }): Promise<{ pending: Delivery[]; due: Effect[]; released: boolean }>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** Drops the leases of every holder whose name starts with `prefix/` (a process that died). */
  releaseLeasesOf(prefix: string): Promise<void>;
}

/** The console's rooms and messages (the local chat). */
export interface LocalChatStore {
  /** Makes a local channel; "name_taken" when its name (or id) is in use. */
  createLocalChannel(channel: ChatChannel, at: string): Promise<ChatChannel | "name_taken">;
  findLocalMessage(idempotencyKey: string): Promise<LocalMessage | null>;
  saveLocalMessage(message: LocalMessage): Promise<void>;
  /** Replaces a local message with this text alone, without its buttons (an announcement kept up to date, a draft replaced); its channel's name, or null. */
  updateLocalMessage(id: string, text: string): Promise<string | null>;
  /** Local messages in the channel, or posted with one of the idempotency keys, oldest first. */
  localMessagesFor(channelId: string | null, idempotencyKeys: string[]): Promise<LocalMessage[]>;
  /** A local channel by id or by name. */
  findLocalChannel(idOrName: string): Promise<LocalChannel | null>;
  /** Every local channel, by name. */
  localChannels(): Promise<LocalChannel[]>;
  setLocalTopic(channelId: string, topic: string): Promise<void>;
  /** A channel's latest messages that `viewer` may see (everyone's, and the ones meant for them), oldest first. */
  roomMessages(channelId: string, viewer: string | null, limit: number): Promise<LocalMessage[]>;
}

/** What a chat platform keeps for itself between requests (a conversation's address, say), by key. */
export interface PlatformStateStore {
  getPlatformState(platform: string, key: string): Promise<unknown | null>;
  /** Replaces the value under the key. */
  putPlatformState(platform: string, key: string, value: unknown, at: string): Promise<void>;
}

/**
 * Herald's state: each user takes the small port it needs (the pipeline deliveries, incidents, the
 * outbox and leases; the console its rooms); the SQLite and D1 stores serve them all. Writes are
 * idempotent where the data flow needs them to be.
 */
export interface Store extends DeliveryStore, IncidentStore, OutboxStore, LeaseStore, LocalChatStore, PlatformStateStore {
  /** Throws when storage cannot be read. */
  ping(): Promise<void>;
  /** What is still to do (see Backlog), reading at most about `most` rows of each queue; `now` tells what is due. */
  backlog(most: number, now: string): Promise<Backlog>;
}
