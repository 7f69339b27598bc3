// The crash soaks' load in Microsoft Teams (test/soak/crash.soak.ts, workerd-crash.soak.ts): pages,
// and declares, notes and rooms' scripts said to the bot, incident rooms as threads in the incidents
// channel; and what must hold once the work is done.
import type Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { ADA, fromBot, messageActivity, TEAMS_CHANNELS, teamsConfig, teamsEnv } from "../support/teams-requests.js";
import { testEnv } from "../support/test-config.js";
import { ANNOUNCE_STEP, expectMadeOnce, POSTMORTEM_STEP, RESOLVE_STEP, ROOM_SCRIPT, sendPage, type RoomRecord } from "./crash-load.js";

/** What Herald answered 2xx for (the PagerDuty incident ids paged, the titles declared), the notes sent, and how far each room's script was said. */
export interface TeamsAccepted {
  pages: Set<string>;
  declares: Set<string>;
  notesSent: number;
  /** A declared incident's room → how many steps of ROOM_SCRIPT were said there. */
  said: Map<string, number>;
}

export function nothingAcceptedInTeams(): TeamsAccepted {
  return { pages: new Set(), declares: new Set(), notesSent: 0, said: new Map() };
}

function recordIn(db: Database.Database, room: string): RoomRecord | null {
  const row = db.prepare(`SELECT record FROM incidents WHERE channel_id = ?`).get(room) as { record: string } | undefined;
  return row ? (JSON.parse(row.record) as RoomRecord) : null;
}

/** The environment of Herald for a Teams team: no Slack, the bot and Graph at the fakes. */
export function teamsCrashEnv(vendorsUrl: string): Record<string, string> {
  const { SLACK_BOT_TOKEN: _token, SLACK_SIGNING_SECRET: _secret, ...env } = testEnv(readFileSync("herald.yaml", "utf8"), vendorsUrl);
  return { ...env, ...teamsEnv(vendorsUrl), HERALD_CONFIG_YAML: teamsConfig(readFileSync("herald.yaml", "utf8")) };
}

interface Posted {
  channel: string;
  id: string;
  replyToId: string | null;
  cards: unknown[];
}

const posted = async (vendorsUrl: string) => (await (await fetch(`${vendorsUrl}/teams/__posted`)).json()) as Posted[];

/** The incident rooms: threads in the incidents channel, each opened by a card naming the room. */
async function rooms(vendorsUrl: string): Promise<{ conversation: string; name: string }[]> {
  return (await posted(vendorsUrl)).flatMap((message) => {
    const name = /Incident room: (inc-\d+-[^"\\]+)/.exec(JSON.stringify(message.cards))?.[1];
    return message.channel === TEAMS_CHANNELS.incidents && message.replyToId === null && name ? [{ conversation: `${message.channel};messageid=${message.id}`, name }] : [];
  });
}

/** `help` said to the bot in the team channel, answered 200. */
export async function sayHelp(herald: string, vendorsUrl: string): Promise<void> {
  const response = await fetch(`${herald}/teams/messages`, await fromBot(vendorsUrl, messageActivity(vendorsUrl, "help")));
  expect(response.status).toBe(200);
}

/** Whether `done` comes true within 3 s. */
async function onRecord(done: () => boolean): Promise<boolean> {
  for (const until = Date.now() + 3_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) if (done()) return true;
  return done();
}

/**
 * The k-th request: a new P1 page from PagerDuty every eighth k; otherwise, in the thread of a room
 * declared before, a note every fourth k or else the next steps of a room's script (the room
 * furthest along first: one ready for its next step, or else, two times in three, the one whose
 * step before is still being worked on, once it is on the record), and if there is none, a declare
 * said to the bot in the team channel. Without the wait, most requests found no room ready while
 * Herald worked on the last step, and declared: rooms got no further than a step or four.
 */
export async function sendTeamsCrashRequest(k: number, herald: string, vendorsUrl: string, accepted: TeamsAccepted, db: Database.Database): Promise<unknown> {
  if (k % 8 === 0) return sendPage(k, herald, `PTCRASH${k}`, accepted.pages);
  const declared = (await rooms(vendorsUrl).catch(() => [])).filter((room) => room.name.includes("Crash declare"));
  const saidIn = (room: { conversation: string }) => accepted.said.get(room.conversation) ?? 0;
  const stepDone = (room: { conversation: string }) => {
    const said = saidIn(room);
    const record = recordIn(db, room.conversation);
    return record !== null && (said === 0 || ROOM_SCRIPT[said - 1]!.done(record, ADA.id));
  };
  const furthest = declared.filter((room) => saidIn(room) < ROOM_SCRIPT.length).sort((a, b) => saidIn(b) - saidIn(a));
  const ready = furthest.find(stepDone);
  const waiting = furthest.find((room) => saidIn(room) > 0);
  if (k % 4 !== 3 && ready) return sayScript(k, ready, herald, vendorsUrl, accepted, db);
  if (k % 4 !== 3 && k % 3 !== 0 && waiting && (await onRecord(() => stepDone(waiting)))) return sayScript(k, waiting, herald, vendorsUrl, accepted, db);
  if (k % 4 === 3 && declared.length > 0) {
    const room = declared[k % declared.length]!;
    accepted.notesSent++;
    return fromBot(vendorsUrl, messageActivity(vendorsUrl, `note decision: teams crash note ${k}`, { conversation: room.conversation }))
      .then((init) => fetch(`${herald}/teams/messages`, init))
      .catch(() => null);
  }
  return fromBot(vendorsUrl, messageActivity(vendorsUrl, `declare P3 networking Crash declare ${k}`))
    .then((init) => fetch(`${herald}/teams/messages`, init))
    .then((r) => r.ok && accepted.declares.add(`Crash declare ${k}`), () => null);
}

/**
 * A room's next steps one after another, each once the one before is on the record (or for up to
 * 3 s), until a kill cuts one off. A step whose request failed is said again later, as a person
 * would who saw no answer, unless the record shows it taken after all.
 */
async function sayScript(k: number, room: { conversation: string }, herald: string, vendorsUrl: string, accepted: TeamsAccepted, db: Database.Database): Promise<void> {
  for (let step = accepted.said.get(room.conversation) ?? 0; step < ROOM_SCRIPT.length; step++) {
    if (step > 0 && !(await onRecord(() => ROOM_SCRIPT[step - 1]!.done(recordIn(db, room.conversation)!, ADA.id)))) return;
    // Taken by another request meanwhile.
    if ((accepted.said.get(room.conversation) ?? 0) !== step) return;
    accepted.said.set(room.conversation, step + 1);
    if (ROOM_SCRIPT[step]!.done(recordIn(db, room.conversation)!, ADA.id)) continue;
    const sent = await fromBot(vendorsUrl, messageActivity(vendorsUrl, ROOM_SCRIPT[step]!.say(k), { conversation: room.conversation }))
      .then((init) => fetch(`${herald}/teams/messages`, init))
      .then((r) => r.ok, () => false);
    if (!sent) {
      accepted.said.set(room.conversation, step);
      return;
    }
  }
}

/**
 * Once the work is done: every accepted page and declare has its incident, no delivery ended in
 * error, one room thread per incident, nothing the Bot Connector posted twice in a conversation, no
 * PagerDuty incident opened twice for one key and no note added twice. Returns a line of counts.
 */
export async function expectNothingLostOrTwiceInTeams(db: Database.Database, vendorsUrl: string, accepted: TeamsAccepted): Promise<string> {
  const incidents = (db.prepare(`SELECT pagerduty_id, record FROM incidents`).all() as { pagerduty_id: string | null; record: string }[]).map((i) => ({
    pagerdutyId: i.pagerduty_id,
    ...(JSON.parse(i.record) as { title: string; number: number; channel?: { id: string } }),
  }));
  expect(accepted.pages.size).toBeGreaterThan(0);
  expect(accepted.declares.size).toBeGreaterThan(0);
  for (const id of accepted.pages) expect(incidents.some((i) => i.pagerdutyId === id), `accepted page ${id}`).toBe(true);
  for (const title of accepted.declares) expect(incidents.some((i) => i.title === title), `accepted declare ${title}`).toBe(true);
  expect(db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE error IS NOT NULL`).get()).toEqual({ n: 0 });
  expect(db.prepare(`SELECT key, last_error FROM effects WHERE status = 'failed'`).all(), "actions given up").toEqual([]);

  const threads = await rooms(vendorsUrl);
  const numbers = threads.map((room) => /^inc-(\d+)-/.exec(room.name)![1]);
  expect(numbers.filter((n, i) => numbers.indexOf(n) !== i), "incidents with two room threads").toEqual([]);
  expect(threads.length).toBe(incidents.filter((i) => i.channel).length);
  for (const incident of incidents.filter((i) => i.channel)) expect(threads.map((t) => t.conversation), `${incident.title}'s room`).toContain(incident.channel!.id);

  // (A root without cards stands for a person's message, which the fake never saw, that Herald answered in its thread.)
  const messages = (await posted(vendorsUrl)).filter((m) => m.cards.length > 0 || m.replyToId !== null).map((m) => `${m.channel} ${m.replyToId ?? "-"} ${JSON.stringify(m.cards)}`);
  expect(messages.filter((m, i) => messages.indexOf(m) !== i), "posted twice").toEqual([]);

  // How far the rooms' scripts got, by their records: what each step made, made once.
  const roomsPast = (step: number) => [...accepted.said].filter(([, said]) => said > step).map(([room]) => ({ room, record: recordIn(db, room)! }));
  const proposed = (room: string) => db.prepare(`SELECT 1 FROM effects WHERE incident_id = (SELECT id FROM incidents WHERE channel_id = ?) AND kind = 'publish_document'`).get(room) !== undefined;
  // Each scripted room's users' announcement posted once in the update channel, however often
  // `announce` was said (a repeat brings it up to date in place).
  const updateRoots = (await posted(vendorsUrl)).filter((m) => m.channel === TEAMS_CHANNELS.update && m.replyToId === null).map((m) => JSON.stringify(m.cards));
  for (const { record } of roomsPast(ANNOUNCE_STEP).filter(({ record }) => record.announcements?.length)) {
    const title = new RegExp(`: ${record.title}(?!\\d)`);
    expect(updateRoots.filter((cards) => title.test(cards)), `${record.title}'s announcement`).toHaveLength(1);
  }
  const made = await expectMadeOnce(
    vendorsUrl,
    roomsPast(RESOLVE_STEP).filter(({ record }) => record.status === "resolved").map(({ record }) => record),
    roomsPast(POSTMORTEM_STEP).filter(({ room }) => proposed(room)).map(({ record }) => record.title),
  );
  const steps = ROOM_SCRIPT.map((_, step) => [...accepted.said.values()].filter((said) => said > step).length).join("/");
  const opened = (await (await fetch(`${vendorsUrl}/pagerduty/__incidents`)).json()) as { incident_key: string | null; notes: { content: string }[] }[];
  const keys = opened.map((o) => o.incident_key).filter((key): key is string => key !== null);
  expect(keys.length).toBe(new Set(keys).size);
  const notes = opened.flatMap((o) => o.notes.map((note) => note.content));
  expect(notes.filter((n, i) => notes.indexOf(n) !== i), "notes added twice").toEqual([]);
  expect(notes.length, "notes that reached PagerDuty").toBeGreaterThan(0);
  const again = (db.prepare(`SELECT COUNT(*) AS n FROM effects WHERE attempts > 1`).get() as { n: number }).n;
  expect(again, "actions started again after a kill").toBeGreaterThan(0);
  return `${accepted.pages.size} pages and ${accepted.declares.size} declares accepted, ${accepted.notesSent} notes sent, rooms' script steps said ${steps}; ${incidents.length} incidents, ${threads.length} room threads, ${messages.length} posts, ${keys.length} opened in PagerDuty with ${notes.length} notes, ${made}; none twice; ${again} actions started again after a kill`;
}
