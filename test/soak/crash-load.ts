// What the crash soaks share (on Node: test/soak/crash.soak.ts; in workerd: workerd-crash.soak.ts):
// the requests in flight when Herald is killed, and what must hold once the work is done.
import { serve } from "@hono/node-server";
import type Database from "better-sqlite3";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import type { createFakeVendors } from "../support/fake-vendors.js";
import { deliveries } from "../support/fixtures.js";
import { lifecycle, signedDelivery } from "../support/signed.js";
import { slashCommand } from "../support/slack-requests.js";
import { PAGERDUTY_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";

/**
 * What Herald took: the PagerDuty incident ids paged (those PagerDuty then resolved, and the notes
 * added there to them), the titles declared in chat, the notes written in their rooms, and how far
 * each room's script got.
 */
export interface Accepted {
  pages: Set<string>;
  pagesResolved: Set<string>;
  pagerdutyNotes: Set<string>;
  declares: Set<string>;
  notes: Set<string>;
  /** A declared incident's room → how many steps of ROOM_SCRIPT Herald took there. */
  steps: Map<string, number>;
}

export function nothingAccepted(): Accepted {
  return { pages: new Set(), pagesResolved: new Set(), pagerdutyNotes: new Set(), declares: new Set(), notes: new Set(), steps: new Map() };
}

/** An incident's record, as much of it as a room's script looks at. */
export interface RoomRecord {
  title: string;
  status: string;
  roles?: { lead?: { id: string } };
  supportCases?: { thirdParty: string }[];
  statusPage?: { draft: { kind: string; message: string } | null; published: { kind: string }[] };
  postmortemMeeting?: unknown;
  announcements?: { to: string }[];
}

/**
 * What is said in a declared incident's room, in order: the lead taken, the users' announcement
 * posted in the update channel, an AWS support case recorded, the status page's first update
 * written and published, a resolve with a temporary fix (resolved in PagerDuty, a follow-up issue
 * on GitHub), the resolution published, the post-mortem meeting scheduled (a calendar file shared)
 * and the post-mortem proposed (a pull request). In Slack a step goes once Herald's answer to the
 * one before says it was `taken` (a step refused, or cut off by a kill, is said again later, as a
 * person would); in Teams, whose answers are posts in the room's thread, once the one before is
 * `done` on the record (a step whose request failed is said again later, unless the record shows
 * it taken after all).
 */
export const ROOM_SCRIPT: { say: (k: number) => string; taken: RegExp; done: (record: RoomRecord, lead: string) => boolean }[] = [
  { say: () => "lead me", taken: /^You are now the Incident Lead/, done: (r, lead) => r.roles?.lead?.id === lead },
  {
    say: () => "announce update",
    taken: /^(Herald is posting the users' announcement|The users' announcement is in the update channel already)/,
    done: (r) => Boolean(r.announcements?.some((a) => a.to === "update")),
  },
  { say: (k) => `ticket aws 9${k}`, taken: /^Support case 9\d+ recorded/, done: (r) => Boolean(r.supportCases?.some((c) => c.thirdParty === "aws")) },
  {
    say: (k) => `status draft Crash update ${k}: the network is back for most users.`,
    taken: /^Herald is preparing the status-page update/,
    done: (r) => Boolean(r.statusPage?.draft?.message.startsWith("Crash update")),
  },
  { say: () => "status publish", taken: /^Herald is publishing/, done: (r) => (r.statusPage?.published.length ?? 0) > 0 },
  { say: (k) => `resolve --temporary crash fix ${k}`, taken: /^Resolving/, done: (r) => r.status === "resolved" && r.statusPage?.draft?.kind === "resolution" },
  { say: () => "status publish", taken: /^Herald is publishing/, done: (r) => Boolean(r.statusPage?.published.some((p) => p.kind === "resolution")) },
  { say: () => "postmortem schedule tomorrow 10:00", taken: /^Post-mortem meeting on/, done: (r) => Boolean(r.postmortemMeeting) },
  { say: () => "postmortem", taken: /^Herald is drafting the post-mortem/, done: () => false },
];
/** The script's users' announcement, resolve and post-mortem, by their place in it. */
export const ANNOUNCE_STEP = 1;
export const RESOLVE_STEP = 5;
export const POSTMORTEM_STEP = 8;

/** The rooms that got past `step` of ROOM_SCRIPT. */
export function pastStep(accepted: Accepted, step: number): string[] {
  return [...accepted.steps].filter(([, done]) => done > step).map(([room]) => room);
}

const story = lifecycle(deliveries);
const base = story.find((d) => d.name === "triggered")!.body;
const resolvedBase = story.find((d) => d.name === "resolved")!.body;
const annotatedBase = story.find((d) => d.name === "annotated")!.body;

/**
 * The k-th request of a crash soak, sent to `herald`. For even k a new P1 page from PagerDuty, or
 * every fourth time PagerDuty's resolve of one paged before, or a note added in PagerDuty to one. For odd k a `/incident declare` in
 * Slack, or, once there are rooms declared before, a `/incident note` in one (which Herald adds in
 * PagerDuty too) or the next step of a room's script (ROOM_SCRIPT). Their response_url at the fake
 * vendors. Notes it in `accepted` if Herald took it; a request cut off by the kill is not.
 */
export function sendCrashRequest(k: number, herald: string, vendorsUrl: string, accepted: Accepted, vendors: FakeVendors): Promise<unknown> {
  const declared = vendors.slack.rooms().filter((room) => room.name.includes("crash-declare"));
  /** A command in a room, taken only if Herald's answer starts as `taken` does (it may not know the room as the incident's yet, or a kill may have lost that). */
  const inRoom = (room: string, text: string, taken: RegExp, onTaken: () => void) =>
    slashCommand(text, { channel: room, responseUrl: `${vendorsUrl}/slack/response/${k}` })
      .then((init) => fetch(`${herald}/slack/commands`, init))
      .then(async (r) => r.ok && taken.test(((await r.json()) as { text: string }).text) && onTaken())
      // Cut off by a kill, before its answer or in the middle of its body.
      .catch(() => null);
  if (k % 4 === 3 && declared.length > 0) {
    const room = declared[k % declared.length]!;
    return inRoom(room.id, `note decision: crash note ${k}`, /^Added to the incident log/, () => accepted.notes.add(`decision: crash note ${k}`));
  }
  // One room at a time goes through its script: the one furthest along, else one not started.
  const stepOf = (room: string) => accepted.steps.get(room) ?? 0;
  const scripted = declared.filter((room) => stepOf(room.id) < ROOM_SCRIPT.length).sort((a, b) => stepOf(b.id) - stepOf(a.id))[0];
  if ((k % 8 === 1 || k % 16 === 13) && scripted) {
    const step = stepOf(scripted.id);
    return inRoom(scripted.id, ROOM_SCRIPT[step]!.say(k), ROOM_SCRIPT[step]!.taken, () => accepted.steps.set(scripted.id, step + 1));
  }
  const paged = [...accepted.pages].find((id) => !accepted.pagesResolved.has(id));
  if (k % 8 === 6 && paged) {
    const resolved = JSON.parse(resolvedBase);
    resolved.event.id = `EVT-CRASH-${k}`;
    resolved.event.occurred_at = new Date().toISOString();
    resolved.event.data.id = paged;
    resolved.event.data.number = 9000 + Number(paged.slice("PCRASH".length));
    resolved.event.data.title = `Crash page ${paged.slice("PCRASH".length)}`;
    return signedDelivery(JSON.stringify(resolved))
      .then((init) => fetch(`${herald}/webhooks/pagerduty`, init))
      .then((r) => r.status === 202 && accepted.pagesResolved.add(paged), () => null);
  }
  if (k % 8 === 4 && accepted.pages.size > 0) {
    const pagedBefore = [...accepted.pages][k % accepted.pages.size]!;
    const annotated = JSON.parse(annotatedBase);
    annotated.event.id = `EVT-CRASH-${k}`;
    annotated.event.occurred_at = new Date().toISOString();
    annotated.event.data.incident.id = pagedBefore;
    annotated.event.data.id = `PNOTE${k}`;
    annotated.event.data.content = `PagerDuty crash note ${k}.`;
    return signedDelivery(JSON.stringify(annotated))
      .then((init) => fetch(`${herald}/webhooks/pagerduty`, init))
      .then((r) => r.status === 202 && accepted.pagerdutyNotes.add(`PagerDuty crash note ${k}.`), () => null);
  }
  if (k % 2 === 0) return sendPage(k, herald, `PCRASH${k}`, accepted.pages);
  return slashCommand(`declare P3 networking Crash declare ${k}`, { channel: TEAM_CHANNELS.team, responseUrl: `${vendorsUrl}/slack/response/${k}` })
    .then((init) => fetch(`${herald}/slack/commands`, init))
    .then((r) => r.ok && accepted.declares.add(`Crash declare ${k}`), () => null);
}

/** A new P1 page from PagerDuty for the incident `id`, numbered by k; `id` goes in `pages` if Herald took it. */
export function sendPage(k: number, herald: string, id: string, pages: Set<string>): Promise<unknown> {
  const page = JSON.parse(base);
  page.event.id = `EVT-${id}`;
  page.event.occurred_at = new Date().toISOString();
  page.event.data.id = id;
  page.event.data.number = 9000 + k;
  page.event.data.title = `Crash page ${k}`;
  return signedDelivery(JSON.stringify(page))
    .then((init) => fetch(`${herald}/webhooks/pagerduty`, init))
    .then((r) => r.status === 202 && pages.add(id), () => null);
}

type FakeVendors = Awaited<ReturnType<typeof createFakeVendors>>;

/**
 * The fake vendors on loopback, counting the calls Herald makes to them, so that a kill can fall
 * right after one. (The fakes' own paths, `/__…`, which the soak asks, are not counted.)
 */
export async function servedVendors(vendors: FakeVendors): Promise<{ url: string; calls: () => number; close: () => void }> {
  let calls = 0;
  const server = serve({ fetch: (request) => (new URL(request.url).pathname.includes("/__") || calls++, vendors.app.fetch(request)), port: 0, hostname: "127.0.0.1" });
  const url = await new Promise<string>((resolve) => server.once("listening", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  return { url, calls: () => calls, close: () => server.close() };
}

/**
 * When a round's kill falls. The first round's once its work is done (up to 60 s), so that the
 * rooms it declared are there for the notes of the rounds after it. Then every other round at a
 * random moment up to `ms`; the others right after a random one of the vendors' next 15 calls (the
 * call made, its outcome not yet written), or after 2 s if they do not come.
 */
export async function killMoment(
  round: number,
  rand: () => number,
  ms: number,
  calls: () => number,
  round0: { inFlight: Promise<unknown>[]; done: () => boolean },
): Promise<void> {
  if (round === 0) {
    await Promise.allSettled(round0.inFlight);
    const deadline = Date.now() + 60_000;
    while (!round0.done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return;
  }
  if (round % 2 === 0) return new Promise((r) => setTimeout(r, Math.floor(rand() * ms)));
  const count = calls() + 1 + Math.floor(rand() * 15);
  const deadline = Date.now() + 2_000;
  while (calls() < count && Date.now() < deadline) await new Promise((r) => setImmediate(r));
}

/** Deliveries not yet processed and effects waiting that are due within 5 s. */
export function workLeft(db: Database.Database): number {
  const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
  return (
    count(`SELECT COUNT(*) AS n FROM deliveries WHERE processed_at IS NULL`) +
    count(`SELECT COUNT(*) AS n FROM effects WHERE status IN ('pending', 'in_flight') AND next_attempt_at <= ?`, new Date(Date.now() + 5_000).toISOString())
  );
}

/** What is still waiting, for the message of a soak that timed out. */
export function describeWorkLeft(db: Database.Database): string {
  const waiting = db.prepare(`SELECT key, kind, status, attempts, next_attempt_at, last_error FROM effects WHERE status IN ('pending', 'in_flight') LIMIT 10`).all();
  const pending = db.prepare(`SELECT id, received_at FROM deliveries WHERE processed_at IS NULL LIMIT 10`).all();
  return JSON.stringify({ pending, waiting }, null, 1);
}

/**
 * Once the work is done: every accepted page and declare has its incident, no delivery ended in
 * error, no room was made twice for an incident (a retry's "-2"), no post twice, and no PagerDuty
 * incident opened twice for one key; and some kills fell on work under way (actions started again
 * after one). Returns a line of counts.
 */
export async function expectNothingLostOrTwice(
  db: Database.Database,
  vendors: FakeVendors,
  vendorsUrl: string,
  accepted: Accepted,
): Promise<string> {
  expect(accepted.pages.size + accepted.declares.size).toBeGreaterThan(0);
  expect(accepted.notes.size, "notes accepted").toBeGreaterThan(0);
  expect(pastStep(accepted, RESOLVE_STEP).length, "rooms resolved").toBeGreaterThan(0);
  const incidents = db.prepare(`SELECT pagerduty_id, record FROM incidents`).all() as { pagerduty_id: string | null; record: string }[];
  const titles = new Set(incidents.map((i) => JSON.parse(i.record).title as string));
  for (const id of accepted.pages) expect(incidents.some((i) => i.pagerduty_id === id), `accepted page ${id}`).toBe(true);
  for (const title of accepted.declares) expect(titles.has(title), `accepted declare ${title}`).toBe(true);
  expect(db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE error IS NOT NULL`).get()).toEqual({ n: 0 });
  expect(db.prepare(`SELECT key, last_error FROM effects WHERE status = 'failed'`).all(), "actions given up").toEqual([]);

  const rooms = vendors.slack.rooms().filter((r) => r.name.startsWith("inc-"));
  const perIncident = new Map<string, number>();
  for (const room of rooms) {
    const number = /^inc-(\d+)-/.exec(room.name)![1]!;
    perIncident.set(number, (perIncident.get(number) ?? 0) + 1);
  }
  expect([...perIncident].filter(([, count]) => count > 1)).toEqual([]);
  expect(rooms.length).toBe(incidents.filter((i) => JSON.parse(i.record).channel).length);
  const postCalls = vendors.slack.calls().filter((c) => c.method === "chat.postMessage");
  // Each post made once: no two with the same key (Herald's metadata on each).
  const keyOf = (metadata: unknown) => (typeof metadata === "string" ? JSON.parse(metadata) : metadata)?.event_payload?.key as string | undefined;
  const postKeys = postCalls.map((c) => keyOf(c.body.metadata));
  expect(postKeys.filter((key) => key === undefined)).toEqual([]);
  expect(postKeys.filter((key, i) => postKeys.indexOf(key) !== i)).toEqual([]);
  // Nor anything said twice in a channel. (That nothing was pending to publish, which a request said
  // again gets again, is said to whoever asked alone, through the command's response_url.)
  const posts = postCalls.map((c) => `${c.body.channel} ${c.body.text}`);
  const twice = posts.filter((p, i) => posts.indexOf(p) !== i);
  expect(twice).toEqual([]);
  const opened = await openedInPagerDuty(vendorsUrl);
  const keys = opened.map((o) => o.incident_key).filter((k): k is string => k !== null);
  expect(keys.length).toBe(new Set(keys).size);
  // Each note written in a room is in PagerDuty once.
  const notes = opened.flatMap((o) => o.notes.map((note) => note.content));
  for (const note of accepted.notes) expect(notes.filter((n) => n === note), `accepted ${note}`).toHaveLength(1);
  const records = incidents.map((i) => JSON.parse(i.record) as { title: string; status: string; channel?: { id: string } });
  const inRoom = (room: string) => records.find((r) => r.channel?.id === room)!;
  const made = await expectMadeOnce(
    vendorsUrl,
    pastStep(accepted, RESOLVE_STEP).map((room) => inRoom(room)),
    pastStep(accepted, POSTMORTEM_STEP).map((room) => inRoom(room).title),
  );
  // Each scripted room's users' announcement posted once in the update channel, however often
  // `announce` was said (a repeat brings it up to date in place).
  for (const room of pastStep(accepted, ANNOUNCE_STEP)) {
    const title = inRoom(room).title;
    const roots = postCalls.filter((c) => c.body.channel === TEAM_CHANNELS.update && !c.body.thread_ts && String(c.body.text).includes(`: ${title}*`));
    expect(roots, `${title}'s announcement`).toHaveLength(1);
  }
  // No file (the post-mortem's calendar invite) shared twice with the same comment in a room.
  const shares = vendors.slack.calls().filter((c) => c.method === "files.completeUploadExternal").map((c) => `${c.body.channel_id} ${c.body.initial_comment}`);
  expect(shares.filter((share, i) => shares.indexOf(share) !== i)).toEqual([]);
  for (const id of accepted.pagesResolved) {
    expect(incidents.filter((i) => i.pagerduty_id === id).map((i) => JSON.parse(i.record).status), `resolved page ${id}`).toEqual(["resolved"]);
  }
  // Each note added in PagerDuty is shown in its incident's room once. (The last may also be quoted as its resolution.)
  for (const note of accepted.pagerdutyNotes) expect(posts.filter((p) => p.includes(`*Note from PagerDuty* by Harsh Santwani: ${note}`)), note).toHaveLength(1);
  // Every incident resolved, from PagerDuty or in its room, says so in its room once.
  const resolved = records.filter((r) => r.status === "resolved" && r.channel);
  expect(resolved.length).toBeGreaterThanOrEqual(accepted.pagesResolved.size + pastStep(accepted, RESOLVE_STEP).length);
  for (const record of resolved) expect(posts.filter((p) => p.startsWith(`${record.channel!.id} :white_check_mark: *Resolved:`)), `${record.channel!.id}'s resolution`).toHaveLength(1);
  const again = (db.prepare(`SELECT COUNT(*) AS n FROM effects WHERE attempts > 1`).get() as { n: number }).n;
  expect(again, "actions started again after a kill").toBeGreaterThan(0);
  const steps = ROOM_SCRIPT.map((_, step) => pastStep(accepted, step).length).join("/");
  return `${accepted.pages.size} pages (${accepted.pagesResolved.size} resolved, ${accepted.pagerdutyNotes.size} notes added in PagerDuty), ${accepted.declares.size} declares and ${accepted.notes.size} notes accepted, rooms through each step of their script ${steps}; ${incidents.length} incidents, ${rooms.length} rooms, ${posts.length} posts, ${shares.length} files shared, ${keys.length} opened in PagerDuty with ${notes.length} notes, ${made}; none twice; ${again} actions started again after a kill`;
}

type Opened = { title: string; status: string; incident_key: string | null; notes: { content: string }[] };
const openedInPagerDuty = async (vendorsUrl: string) => (await (await fetch(`${vendorsUrl}/pagerduty/__incidents`)).json()) as Opened[];

/**
 * What the incidents' processes made outside chat, each once: each incident resolved in its room
 * resolved in PagerDuty with one follow-up issue, one pull request per post-mortem asked for, one
 * status-page post per incident with no update twice. Returns a phrase of counts.
 */
export async function expectMadeOnce(vendorsUrl: string, resolvedInRoom: { title: string; status: string }[], postmortems: string[]): Promise<string> {
  const opened = await openedInPagerDuty(vendorsUrl);
  const issues = (await (await fetch(`${vendorsUrl}/github/__issues`)).json()) as { title: string }[];
  for (const record of resolvedInRoom) {
    expect(record.status, `${record.title} on record`).toBe("resolved");
    expect(opened.filter((o) => o.title === record.title).map((o) => o.status), `${record.title} in PagerDuty`).toEqual(["resolved"]);
    expect(issues.filter((issue) => issue.title === `Permanent fix for: ${record.title}`), `${record.title}'s follow-up`).toHaveLength(1);
  }
  const pulls = (await (await fetch(`${vendorsUrl}/github/__pulls`)).json()) as { title: string }[];
  for (const title of postmortems) expect(pulls.filter((pull) => pull.title === `Post-mortem: ${title}`), `${title}'s post-mortem`).toHaveLength(1);
  const asPagerDuty = { headers: { authorization: `Token token=${PAGERDUTY_TOKEN}`, accept: "application/vnd.pagerduty+json;version=2" } };
  const statusPosts = ((await (await fetch(`${vendorsUrl}/pagerduty/status_pages/PSTATUS1/posts?limit=100`, asPagerDuty)).json()) as { posts: { id: string; title: string }[] }).posts;
  expect(statusPosts.filter((post, i) => statusPosts.findIndex((other) => other.title === post.title) !== i)).toEqual([]);
  let updates = 0;
  for (const post of statusPosts) {
    const messages = ((await (await fetch(`${vendorsUrl}/pagerduty/status_pages/PSTATUS1/posts/${post.id}/post_updates?limit=100`, asPagerDuty)).json()) as { post_updates: { message: string }[] }).post_updates.map((u) => u.message);
    expect(messages.filter((m, i) => messages.indexOf(m) !== i), `${post.title}'s updates`).toEqual([]);
    updates += messages.length;
  }
  return `${issues.length} follow-ups, ${pulls.length} pull requests, ${statusPosts.length} status-page posts with ${updates} updates`;
}
