import type { ChatRouter } from "../chat/chat-router.js";
import { EffectError, type InviteResult } from "../ports/chat.js";
import type { Clock } from "../ports/clock.js";
import type { IssueTracker } from "../ports/issue-tracker.js";
import type { PagingService } from "../ports/paging.js";
import type { Renderer } from "../render/renderer.js";
import { OWN_PAGERDUTY_NOTE, type Effect, type EffectOutcome, type EffectPayload, type IncidentStore, type OutboxStore } from "../ports/store.js";
import type { Announcement, Incident, TimelineEntry } from "../domain/incident.js";
import type { HeraldAction } from "../domain/incident-event.js";
import { projectIncident } from "../domain/project-incident.js";
import type { Config } from "../config/schema.js";
import { incidentView } from "../render/incident-view.js";
import { withinBudget, type QueryBudget } from "../pipeline/query-budget.js";
import { MAX_ATTEMPTS, retryDelaySeconds } from "./backoff.js";
import { attemptOf } from "./effect-attempt.js";
import { laneOf } from "./lanes.js";
import { NO_ROOM } from "./try-again.js";
import { withDeadLetter } from "./dead-letter.js";
import { inviteToPostmortem, publishDocument } from "./document-effects.js";
import { draftStatus, publishStatus, retireReview } from "./status-page-effects.js";

export interface EffectDeps {
  store: IncidentStore & OutboxStore;
  /** Every active chat platform; each incident's effects go to its own. */
  chat: ChatRouter;
  paging: PagingService;
  issues: IssueTracker;
  renderer: Renderer;
  config: Config;
  clock: Clock;
  log: (line: string) => void;
}

const USER_ANNOUNCEMENT = "user-announcement";

/** Channel names tried with a suffix before creating the channel is given up. */
const MAX_NAME_SUFFIX = 20;

/** Effects a pass reads from the store: the page of due ones it works through. */
export const EFFECTS_PER_PASS = 100;

/** Lanes worked side by side: enough that one stuck vendor holds up only its own lanes. */
export const LANES_AT_ONCE = 8;


/**
 * Carries out the due effects: in order within each lane (see laneOf), lanes side by side, the most
 * urgent first (a P1/P2 incident's work comes first from the store). One that must wait holds back
 * the rest of its lane only. Every outbound call is bounded by its client's timeout, so no lane
 * holds anything for long. Says how many effects finished in this pass, and whether due work may be
 * left (it stopped at `until`, or at a full page of `limit` effects). `due`: the page of due
 * effects when the caller has read it already (with its last write), as `dueEffects(limit, now)`.
 */
export async function runEffects(
  deps: EffectDeps,
  options: { limit?: number; until?: number; urgentUntil?: number; yieldNow?: () => boolean; pause?: () => Promise<void>; queries?: QueryBudget; due?: Effect[] } = {},
): Promise<{ finished: number; more: boolean }> {
  const limit = options.limit ?? EFFECTS_PER_PASS;
  const until = options.until ?? Infinity;
  const urgentUntil = Math.max(until, options.urgentUntil ?? until);
  const yieldNow = options.yieldNow ?? (() => false);
  const open = options.due ?? (await deps.store.dueEffects(limit, deps.clock.now().toISOString()));
  const isWaiting = (effect: Effect, now: Date) => effect.status === "pending" && Date.parse(effect.nextAttemptAt) > now.getTime();
  const dueAtStart = open.filter((effect) => !isWaiting(effect, deps.clock.now())).length;
  const lanes = new Map<string, Effect[]>();
  for (const effect of open) {
    const lane = laneOf(effect);
    const queue = lanes.get(lane);
    if (queue) queue.push(effect);
    else lanes.set(lane, [effect]);
  }
  // The store gives urgent incidents' work first; within a lane, strictly in the order it was queued.
  const waiting = [...lanes.values()].map((lane) => lane.sort((a, b) => a.seq - b.seq));
  const onIncident = exclusivePerKey();
  const start = startingTogether((keys) => deps.store.startEffects(keys, deps.clock.now().toISOString()));
  let finished = 0;
  let attempted = 0;
  let queued = 0;
  let stopped = false;
  // Effects started and not yet finished: each may still make its queries.
  let inFlight = 0;

  /**
   * Whether `effect` may begin now, or waits with the rest of its lane, or ends the pass. `settling`:
   * the queries of an outcome about to be written, counted as they are rather than reserved as an
   * effect in flight (that effect is one of `inFlight`).
   */
  const mayBegin = (effect: Effect, settling?: number): "go" | "wait" | "stop" => {
    const now = deps.clock.now();
    // A P1/P2 incident's lane may go on past the budget (or the host's wish to have its thread
    // back), until `urgentUntil`.
    const pastBudget = effect.urgency === 0 ? now.getTime() >= urgentUntil : now.getTime() >= until || yieldNow();
    if (attempted > 0 && pastBudget) return "stop";
    // Not due yet: the rest of its lane waits behind it.
    if (isWaiting(effect, now)) return "wait";
    // The invocation's queries are spent (Workers): the rest waits for the next run.
    const budget = options.queries;
    const counted = budget && settling !== undefined ? { ...budget, used: () => budget.used() + settling } : budget;
    if (!withinBudget(counted, settling === undefined ? inFlight : inFlight - 1)) return "stop";
    return "go";
  };
  /** Counts an effect as begun: attempted, and in flight until its outcome is written. */
  const begin = () => {
    attempted++;
    inFlight++;
  };
  /**
   * Writes an effect's outcome (and the incident as it leaves it) and, in the same transaction, the
   * lane's `next` effect marked started if it may begin now: one commit between two calls. Says
   * whether `next` began.
   */
  const settle = (effect: Effect, outcome: EffectOutcome, next: Effect | undefined) =>
    // Two lanes of one incident may both change its record: one at a time reads and writes it.
    onIncident(effect.incidentId, async () => {
      const at = deps.clock.now().toISOString();
      let began = false;
      const startNext = (queries: number) => {
        if (!next || mayBegin(next, queries) !== "go") return null;
        begin();
        began = true;
        return next.key;
      };
      try {
        // The end of a lane with nothing else to write (nothing on the record either) goes with the
        // run's next call (on D1, one round trip fewer); an effect tried again after that call failed
        // would look for its post.
        if (!next && isPlain(outcome)) await deps.store.finishEffectLater(effect.key, outcome, at);
        else await deps.store.finishEffect(effect.key, outcome, at, await onRecord(effect, outcome, at, deps.store), startNext);
      } catch (error) {
        if (began) inFlight--;
        throw error;
      } finally {
        inFlight--;
      }
      return began;
    });
  /** An effect that a later one in its lane overwrites: its call is not made. */
  const skipSuperseded = async (effect: Effect, later: Effect) => {
    const outcome: EffectOutcome = { status: "skipped", result: { supersededBy: later.key } };
    // Goes with the start of the next in its lane.
    await onIncident(effect.incidentId, () => deps.store.finishEffectLater(effect.key, outcome, deps.clock.now().toISOString()));
  };
  const work = async (lane: Effect[]) => {
    // Whether lane[index] was marked started with the outcome before it.
    let begun = false;
    for (const [index, effect] of lane.entries()) {
      // The host's turn between two effects (a lane's first too: lanes start side by side).
      await options.pause?.();
      if (!begun) {
        // One marked started by the read that gave it was let begin then (see `DueQuery.startLanes`).
        const verdict = effect.startedWithRead ? "go" : mayBegin(effect);
        if (verdict !== "go") {
          if (verdict === "stop") stopped = true;
          return;
        }
        begin();
        const later = supersededIn(lane, index);
        if (later) {
          await skipSuperseded(effect, later).finally(() => inFlight--);
          finished++;
          continue;
        }
      }
      let outcome: EffectOutcome;
      try {
        if (!begun && !effect.startedWithRead) await start(effect.key);
        outcome = await withDeadLetter(effect, await attempt(effect, deps), deps);
      } catch (error) {
        inFlight--;
        throw error;
      }
      queued += outcome.then?.length ?? 0;
      // The lane goes on after this one unless it waits for a retry; a next one that a later one
      // overwrites is skipped on its own.
      const following = lane[index + 1];
      const next = outcome.status === "pending" || !following || supersededIn(lane, index + 1) ? undefined : following;
      begun = await settle(effect, outcome, next);
      if (outcome.status === "pending") {
        deps.log(`effect ${effect.key} will be retried at ${outcome.nextAttemptAt}: ${outcome.error}`);
        return;
      }
      finished++;
      if (outcome.status === "failed") deps.log(`effect ${effect.key} failed: ${outcome.error}`);
    }
  };
  const worker = async () => {
    for (let lane = waiting.shift(); lane && !stopped; lane = waiting.shift()) await work(lane);
  };
  await Promise.all(Array.from({ length: Math.min(LANES_AT_ONCE, waiting.length) }, worker));
  if (stopped || waiting.length > 0) return { finished, more: true };
  // A full page of due effects may hide more behind it.
  return { finished, more: (dueAtStart === limit && attempted > 0) || queued > 0 };
}

/** An outcome that only ends its effect: done or skipped, with nothing queued after it. */
function isPlain(outcome: EffectOutcome): boolean {
  return (outcome.status === "done" || outcome.status === "skipped") && !outcome.then?.length && !outcome.recorded?.length;
}

/**
 * Effects that the next one of their kind overwrites whole (a room's topic; the announcements' text,
 * rendered from the incident as it is when the update runs): only the last one queued in a lane
 * needs making. In a backlog or behind a vendor's rate limit, the earlier ones would only spend
 * calls on what is about to be overwritten.
 */
const LAST_ONE_SHOWS = new Set<EffectPayload["kind"]>(["set_topic", "update_announcements"]);

/** The later effect in the lane that overwrites what `lane[index]` would set, if there is one. */
function supersededIn(lane: Effect[], index: number): Effect | undefined {
  const kind = lane[index]!.payload.kind;
  if (!LAST_ONE_SHOWS.has(kind)) return undefined;
  return lane.slice(index + 1).find((later) => later.payload.kind === kind);
}

/**
 * Marks effects started, those asked for before the next microtask together: lanes that begin side
 * by side (a Worker's, which go on after the same tick) mark their first effects in one write, where
 * each on its own was a round trip to D1. Each caller's promise settles with that write.
 */
function startingTogether(startAll: (keys: string[]) => Promise<void>): (key: string) => Promise<void> {
  let gathering: { keys: string[]; written: Promise<void> } | null = null;
  return (key) => {
    if (gathering) {
      gathering.keys.push(key);
      return gathering.written;
    }
    const keys = [key];
    const written = Promise.resolve().then(() => {
      gathering = null;
      return startAll(keys);
    });
    gathering = { keys, written };
    return written;
  };
}

/** Runs tasks one at a time per key (in the order asked), different keys side by side. */
function exclusivePerKey() {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/**
 * What an effect did, as events through the same projection as everything else: the incident as it
 * leaves it, and the timeline entries that show it. Written with the effect's outcome.
 */
async function onRecord(effect: Effect, outcome: EffectOutcome, at: string, store: IncidentStore) {
  if (!outcome.recorded?.length) return undefined;
  let incident = await store.getIncident(effect.incidentId);
  if (!incident) return undefined;
  const entries: TimelineEntry[] = [];
  for (const change of outcome.recorded) {
    const event: HeraldAction = {
      id: `${effect.key}:${change.what}`,
      occurredAt: at,
      author: change.what === "status_published" ? change.published.by : null,
      source: "herald",
      pagerdutyIncidentId: incident.pagerdutyId,
      incidentId: incident.id,
      incidentTitle: incident.title,
      kind: "herald_action",
      type: `herald.${change.what}`,
      change,
    };
    const projected = projectIncident(incident, event, incident.id);
    incident = projected.incident;
    entries.push(projected.entry);
  }
  return { incident, entries };
}

/** Makes an effect's call, already marked started in the store. */
async function attempt(effect: Effect, deps: EffectDeps): Promise<EffectOutcome> {
  // Any earlier attempt may have landed even if it looked failed (a crash, a timeout, a lost answer).
  const { triedBefore } = attemptOf(effect);
  const attempts = effect.attempts + 1;
  try {
    switch (effect.payload.kind) {
      case "create_channel":
        return await createChannel(effect, effect.payload.name, triedBefore, deps);
      case "post_message":
        return await postMessage(effect, effect.payload, triedBefore, deps);
      case "pagerduty_note":
        return await addPagerDutyNote(effect, effect.payload.content, triedBefore, deps);
      case "pagerduty_resolve":
        return await resolveInPagerDuty(effect, effect.payload.resolution, deps);
      case "github_issue":
        return await raiseFollowUp(effect, effect.payload, triedBefore, deps);
      case "set_topic": {
        const incident = await deps.store.getIncident(effect.incidentId);
        if (!incident?.channel) return { status: "skipped", error: NO_ROOM };
        const room = deps.chat.at(incident.channel.id);
        await room.chat.setTopic(room.channel, effect.payload.topic, attemptOf(effect));
        return { status: "done", result: { topic: effect.payload.topic } };
      }
      case "invite": {
        const incident = await deps.store.getIncident(effect.incidentId);
        if (!incident?.channel) return { status: "skipped", error: NO_ROOM };
        const room = deps.chat.at(incident.channel.id);
        const { refused } = await room.chat.invite(room.channel, effect.payload.userIds, attemptOf(effect));
        const invited = effect.payload.userIds.filter((id) => !refused.some((r) => r.userId === id));
        return withRefusals(effect, { status: invited.length ? "done" : "skipped", result: { invited, refused } }, refused, deps);
      }
      case "invite_assignees":
        return await inviteAssignees(effect, effect.payload, deps);
      case "pagerduty_create":
        return await openInPagerDuty(effect, effect.payload, triedBefore, deps);
      case "publish_document":
        return await publishDocument(effect, effect.payload, deps);
      case "update_announcements":
        return await updateAnnouncements(effect, deps);
      case "postmortem_invite":
        return await inviteToPostmortem(effect, deps);
      case "status_draft":
        return await draftStatus(effect, effect.payload, deps);
      case "status_publish":
        return await publishStatus(effect, effect.payload, triedBefore, deps);
      case "retire_review":
        return await retireReview(effect, effect.payload, deps);
    }
  } catch (error) {
    const failure =
      error instanceof EffectError ? error : new EffectError((error as Error).message ?? String(error), true);
    if (!failure.retryable || attempts >= MAX_ATTEMPTS) return { status: "failed", error: failure.message };
    const delay = retryDelaySeconds(attempts, failure.retryAfterSeconds);
    return {
      status: "pending",
      error: failure.message,
      nextAttemptAt: new Date(deps.clock.now().getTime() + delay * 1000).toISOString(),
    };
  }
}

async function createChannel(effect: Effect, base: string, triedBefore: boolean, deps: EffectDeps): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  if (incident?.channel) return { status: "done", result: incident.channel };
  const chat = deps.chat.on(incident?.platform);
  if (!chat.capabilities.rooms) {
    // The nearest thing: the channel it was declared in is its room, and the people there are told so, once.
    const place = incident?.declaredIn;
    if (!place || !chat.owns(place)) return { status: "skipped", error: `${chat.platform} cannot create rooms: make one for the incident by hand` };
    const room = { id: place, name: place };
    const text = deps.renderer.render("not-done", {
      action: "make a room for this incident",
      reason: `${chat.platform} cannot make rooms here, so this channel is the incident's room: say its commands here, and Herald posts its updates here.`,
    });
    return {
      status: "done",
      result: room,
      recorded: [{ what: "room_created", channel: room, platform: chat.platform }],
      then: [{ key: `${effect.key}:here`, incidentId: effect.incidentId, payload: { kind: "post_message", to: "incident", template: "not-done", text } }],
    };
  }
  for (let n = 1; n <= MAX_NAME_SUFFIX; n++) {
    const name = chat.roomName(base, n);
    let room = await chat.createChannel(name, { triedBefore });
    if (room === "name_taken") {
      // An earlier attempt may have made it and lost the answer (a timeout, a crash): a room Herald
      // made that is no other incident's is this one's. A name taken by anyone else gets the next suffix.
      const found = await chat.findRoom(name);
      if (!found?.ours || (await deps.store.findIncidentByChannel(found.channel.id))) continue;
      room = found.channel;
    }
    return { status: "done", result: room, recorded: [{ what: "room_created", channel: room, platform: chat.platform }] };
  }
  return { status: "failed", error: `room names ${chat.roomName(base, 1)} to ${chat.roomName(base, MAX_NAME_SUFFIX)} are all taken` };
}

async function postMessage(
  effect: Effect,
  post: Extract<Effect["payload"], { kind: "post_message" }>,
  triedBefore: boolean,
  deps: EffectDeps,
): Promise<EffectOutcome> {
  const to = post.to;
  if (to !== "incident" && "replyUrl" in to) {
    // A reply link cannot be searched afterwards; Slack's take a few posts, so a rare retry after a
    // lost answer may show the reply twice.
    const room = deps.chat.at(to.channel);
    await room.chat.respond(to.replyUrl, room.channel, post.text, to.visibility);
    return { status: "done", result: { replied: to.channel } };
  }
  const incident = await deps.store.getIncident(effect.incidentId);
  if (to === "incident" && !incident?.channel) {
    // Effects run in order, so a channel that is not there now was never asked for (or could not be made).
    return { status: "skipped", error: NO_ROOM };
  }
  // A standing channel (ask, update) on the incident's own platform, unless the configuration names one.
  const { chat, channel } = deps.chat.at(to === "incident" ? incident!.channel!.id : deps.chat.place(to.channel, incident?.platform));
  const threadId = to !== "incident" ? to.threadId : undefined;
  const landed = triedBefore ? await chat.findPosted(channel, effect.key, { threadId, since: attemptOf(effect).since }) : null;
  if (!landed && post.announcement) {
    const standing = await updateStandingAnnouncement(effect, { chat, channel }, post.text, incident, deps);
    if (standing) return { status: "done", result: { updated: standing } };
  }
  const posted = landed ?? (await chat.postMessage({ channel, text: post.text, idempotencyKey: effect.key, buttons: post.buttons, threadId, ...(post.form ? { form: post.form } : {}) }));
  if (post.pin) await chat.pin(posted.channel, posted.id);
  if (!post.announcement) return { status: "done", result: posted };
  const announcement = { to: post.announcement.to, channel: posted.channel, messageId: posted.id, postedAt: deps.clock.now().toISOString() };
  return { status: "done", result: posted, recorded: [{ what: "announcement_posted", announcement }] };
}

/**
 * A users' announcement already out in the channel (said again after a lost answer, or by a person
 * and a rule at once) is brought up to date in place rather than posted twice. Null when there is
 * none, or it cannot be edited (deleted by someone): then it is posted again and takes its place.
 */
async function updateStandingAnnouncement(
  effect: Effect,
  place: ReturnType<ChatRouter["at"]>,
  text: string,
  incident: Incident | null,
  deps: EffectDeps,
): Promise<Announcement | null> {
  const standing = incident?.announcements?.find((a) => {
    const at = deps.chat.at(a.channel);
    return at.chat === place.chat && at.channel === place.channel;
  });
  if (!standing) return null;
  try {
    await place.chat.updateMessage(place.channel, standing.messageId, text, attemptOf(effect));
    return standing;
  } catch (error) {
    if (!(error instanceof EffectError) || error.retryable) throw error;
    return null;
  }
}

async function addPagerDutyNote(effect: Effect, content: string, triedBefore: boolean, deps: EffectDeps): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  if (!incident?.pagerdutyId) return { status: "skipped", error: "the incident is not in PagerDuty" };
  // PagerDuty has no idempotency key for notes: a retry looks for the same text among the incident's
  // notes first. (The same words noted twice, the second retried after a lost answer, count once.)
  const earlier = triedBefore ? await deps.paging.findNote(incident.pagerdutyId, content) : null;
  const note = earlier ?? (await deps.paging.addNote(incident.pagerdutyId, content));
  await deps.store.rememberExternal(OWN_PAGERDUTY_NOTE, note.id, deps.clock.now().toISOString());
  return {
    status: "done",
    result: deps.paging.platform === "draft" ? { draft: true, note: { content } } : { noteId: note.id },
  };
}

async function resolveInPagerDuty(effect: Effect, resolution: string, deps: EffectDeps): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  if (!incident?.pagerdutyId) return { status: "skipped", error: "the incident is not in PagerDuty" };
  await deps.paging.resolve(incident.pagerdutyId, resolution);
  return { status: "done", result: deps.paging.platform === "draft" ? { draft: true, resolution } : { resolved: true } };
}

async function raiseFollowUp(
  effect: Effect,
  { announce, ...issue }: Extract<Effect["payload"], { kind: "github_issue" }>,
  triedBefore: boolean,
  deps: EffectDeps,
): Promise<EffectOutcome> {
  // GitHub has no idempotency key for issues: each is marked with the effect's key, and a retry looks
  // for the mark first, so an attempt whose answer was lost is not filed twice.
  const earlier = triedBefore && issue.labels[0] ? await deps.issues.findIssue(effect.key, issue.labels[0], attemptOf(effect).since) : null;
  const filed = earlier ?? (await deps.issues.createIssue({ title: issue.title, body: issue.body, labels: issue.labels, key: effect.key }));
  const followUp = { title: issue.title, url: filed.url, number: filed.number };
  const template = announce?.template ?? "follow-up";
  const text = deps.renderer.render(template, { ...announce?.data, followUp });
  return {
    status: "done",
    result: deps.issues.platform === "draft" ? { draft: true, issue } : followUp,
    // A not-an-incident issue belongs to no incident; a follow-up is kept on its incident.
    ...(announce ? {} : { recorded: [{ what: "follow_up_raised" as const, followUp }] }),
    then: [
      {
        key: `${effect.key}:link`,
        incidentId: effect.incidentId,
        payload: {
          kind: "post_message",
          to: !announce
            ? "incident"
            : announce.replyUrl
              ? { replyUrl: announce.replyUrl, channel: announce.channel, visibility: "channel" }
              : { channel: announce.channel },
          template,
          text,
        },
      },
    ],
  };
}

/** The users' announcements, re-rendered from the incident as it is now and replaced in place. */
async function updateAnnouncements(effect: Effect, deps: EffectDeps): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  const announcements = incident?.announcements ?? [];
  if (!incident || announcements.length === 0) return { status: "skipped", error: "the incident has no announcement" };
  const text = deps.renderer.render(USER_ANNOUNCEMENT, incidentView(incident, deps.config));
  // Each announcement on its own: one that cannot be edited (deleted by someone, say) does not keep
  // the others out of date. A failure worth another try fails the whole update (edits repeat safely).
  const updated: string[] = [];
  const failed: { announcement: Announcement; error: string }[] = [];
  for (const announcement of announcements) {
    const room = deps.chat.at(announcement.channel);
    try {
      await room.chat.updateMessage(room.channel, announcement.messageId, text, attemptOf(effect));
      updated.push(announcement.channel);
    } catch (error) {
      if (!(error instanceof EffectError) || error.retryable) throw error;
      failed.push({ announcement, error: error.message });
    }
  }
  if (failed.length === 0) return { status: "done", result: { updated } };
  // The one that cannot be edited is let go (later updates skip it), and the room is told once.
  const gone = failed.map(({ announcement, error }) => ({ what: "announcement_gone" as const, announcement, reason: error }));
  const where = failed.map((f) => `${f.error} (in the ${f.announcement.to} channel)`).join("; ");
  return {
    status: updated.length ? "done" : "skipped",
    result: { updated, failed: failed.map((f) => ({ channel: f.announcement.channel, error: f.error })) },
    ...(updated.length ? {} : { error: where }),
    ...withNotDone(effect, "keep the users' announcement up to date", `${where}. If it was deleted, post it again with the \`announce\` command.`, deps, gone),
  };
}

/**
 * Opens an incident declared in chat in PagerDuty (process: "declare the incident via PagerDuty"). The
 * service and priority come from herald.yaml's ids, else are found in PagerDuty by name. What cannot
 * be done is said in the incident's room, with how to fix it. The incident key is Herald's id, so a
 * retry after a lost answer looks the incident up by it first instead of opening a second one.
 */
async function openInPagerDuty(
  effect: Effect,
  payload: Extract<Effect["payload"], { kind: "pagerduty_create" }>,
  triedBefore: boolean,
  deps: EffectDeps,
): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  if (incident?.pagerdutyId) return { status: "done", result: { linked: incident.pagerdutyId } };
  if (deps.paging.platform === "draft") return { status: "done", result: { draft: true, incident: payload } };
  const linked = (opened: { id: string; url: string | null; number: number | null }): EffectOutcome => ({
    status: "done",
    result: opened,
    recorded: [{ what: "pagerduty_linked", pagerdutyId: opened.id, url: opened.url, number: opened.number }],
  });
  const key = effect.incidentId;
  if (triedBefore) {
    const earlier = await deps.paging.findIncidentByKey(key);
    if (earlier) return linked(earlier);
  }
  const serviceId = payload.serviceId ?? (payload.serviceName ? await deps.paging.findService(payload.serviceName) : null);
  if (!serviceId) {
    const reason = `PagerDuty has no service named '${payload.serviceName ?? "(none)"}'. Give the service its pagerduty_service_id in herald.yaml (or name it as PagerDuty does), and open this incident in PagerDuty by hand so it pages.`;
    return notDone(effect, "open the incident in PagerDuty", reason, deps);
  }
  const priorityId = payload.priorityId ?? (payload.priority ? await deps.paging.findPriority(payload.priority) : null);
  try {
    const opened = await deps.paging.createIncident({ title: payload.title, serviceId, priorityId, details: payload.details, incidentKey: key });
    const outcome = linked(opened);
    if (payload.priority && !priorityId) {
      return { ...outcome, ...withNotDone(effect, "set its priority in PagerDuty", `PagerDuty has no priority named ${payload.priority} (priorities may be off in the account); it was opened without one.`, deps, outcome.recorded!) };
    }
    return outcome;
  } catch (error) {
    // PagerDuty refuses a second open incident with the same key: the first attempt landed after all.
    const earlier = await deps.paging.findIncidentByKey(key).catch(() => null);
    if (earlier) return linked(earlier);
    throw error;
  }
}

/** PagerDuty's assignees into the incident's room: each found in chat by their PagerDuty email. */
async function inviteAssignees(effect: Effect, { pagerdutyUserIds, names }: { pagerdutyUserIds: string[]; names?: Record<string, string> }, deps: EffectDeps): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  if (!incident?.channel) return { status: "skipped", error: NO_ROOM };
  if (deps.paging.platform === "draft") return { status: "skipped", error: "PagerDuty is not configured, so its assignees cannot be looked up" };
  const room = deps.chat.at(incident.channel.id);
  const found: { userId: string; name: string }[] = [];
  const missing: { name: string; reason: string }[] = [];
  for (const id of pagerdutyUserIds) {
    const email = await deps.paging.userEmail(id);
    const userId = email ? await room.chat.userByEmail(email) : null;
    const name = names?.[id] ?? incident.assignees.find((a) => a.id === id)?.name ?? id;
    if (userId) found.push({ userId, name });
    // The address itself is not said in the room.
    else missing.push({ name, reason: email ? NOT_IN_CHAT : NO_EMAIL });
  }
  const { refused } = found.length ? await room.chat.invite(room.channel, found.map((f) => f.userId), attemptOf(effect)) : { refused: [] };
  const invited = found.filter((f) => !refused.some((r) => r.userId === f.userId)).map((f) => f.userId);
  const outcome: EffectOutcome = {
    status: invited.length ? "done" : "skipped",
    result: { invited, notFound: missing.map((m) => m.name), refused },
    ...(invited.length ? {} : { error: found.length ? "the chat platform would not add any of the assignees" : "no assignee was found in chat by email" }),
  };
  const people = [
    ...refused.map(({ userId, reason }) => ({ person: { id: userId, name: found.find((f) => f.userId === userId)?.name ?? null }, reason })),
    ...missing.map(({ name, reason }) => ({ person: { id: null, name }, reason })),
  ];
  return withPeopleLeftOut(effect, outcome, people, deps);
}

const NOT_IN_CHAT = "nobody in chat has the email address PagerDuty has for them";
const NO_EMAIL = "PagerDuty gave no email address for them (their PagerDuty user may have been deleted)";

/**
 * People the platform would not add to the room: on the record, and named in the room once (with
 * mentions), with why, so someone adds them by hand or knows not to wait for them. The effect is not
 * tried again for them: another try gets the same answer.
 */
function withRefusals(effect: Effect, outcome: EffectOutcome, refused: InviteResult["refused"], deps: EffectDeps): EffectOutcome {
  return withPeopleLeftOut(effect, outcome, refused.map(({ userId, reason }) => ({ person: { id: userId, name: null }, reason })), deps);
}

/** People Herald could not bring into the room (refused by the platform, or not found in chat): see withRefusals. */
function withPeopleLeftOut(effect: Effect, outcome: EffectOutcome, people: { person: { id: string | null; name: string | null }; reason: string }[], deps: EffectDeps): EffectOutcome {
  if (people.length === 0) return outcome;
  const said = { template: "not-invited", text: deps.renderer.render("not-invited", { refused: people }) };
  const reason = people.map(({ person, reason }) => `${person.name ?? person.id}: ${reason}`).join("; ");
  return { ...outcome, ...withNotDone(effect, "add everyone to the room", reason, deps, outcome.recorded ?? [], said) };
}

/** What Herald could not do: on the record, and said in the incident's room with what to do by hand. */
function notDone(effect: Effect, action: string, reason: string, deps: EffectDeps): EffectOutcome {
  return { status: "skipped", error: reason, ...withNotDone(effect, action, reason, deps, []) };
}

/** The record's `not_done` beside `recorded`, and the one post that says it in the room (`not-done`, unless `said` is another). */
function withNotDone(
  effect: Effect,
  action: string,
  reason: string,
  deps: EffectDeps,
  recorded: NonNullable<EffectOutcome["recorded"]>,
  said = { template: "not-done", text: deps.renderer.render("not-done", { action, reason }) },
) {
  return {
    recorded: [...recorded, { what: "not_done" as const, action, reason }],
    then: [{ key: `${effect.key}:not-done`, incidentId: effect.incidentId, payload: { kind: "post_message" as const, to: "incident" as const, ...said } }],
  };
}
