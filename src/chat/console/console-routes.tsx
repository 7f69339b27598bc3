/** @jsxImportSource hono/jsx */
import { Hono, type Context } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import { grammarContext } from "../../config/grammar-context.js";
import { parseChatCommand, type ChatCommand, type DeclareDetails, type ParsedCommand } from "../../domain/chat-command.js";
import type { ChatRequest } from "../../domain/chat-request.js";
import type { Incident } from "../../domain/incident.js";
import { declaredIncidentId, publishCommand, STATUS_PUBLISH, TRIAGE_BUTTONS, TRIAGE_DECLARE, TRIAGE_NOT_INCIDENT, volunteerRole } from "../../domain/command-events.js";
import { renderDocument } from "../../documents/render-document.js";
import type { DocumentKind } from "../../documents/document-view.js";
import { HeraldError } from "../../errors.js";
import type { ChatButton } from "../../ports/chat.js";
import type { LocalChannel } from "../../ports/store.js";
import { acceptDelivery } from "../../routes/accept-delivery.js";
import { tryAgain, tryAllAgain } from "../../effects/try-again.js";
import { CONSOLE_BACKLOG_COUNTED, readBacklog } from "../../effects/backlog.js";
import { closeConnection } from "../../routes/read-body.js";
import type { RouteContext } from "../chat-platform.js";
import { answerAtOnce, type AnswerContext } from "../answer-at-once.js";
import { ownWork, saidAgain } from "../said-again.js";
import { shortHash } from "../short-hash.js";
import { helpReply, triageText } from "../replies.js";
import { consoleAccess, ConsoleRefusal, signIn, signOut, type ConsoleEnv } from "./console-access.js";
import { CONSOLE_CSS, LIVE_JS } from "./console-assets.js";
import { readForm } from "./read-form.js";
import { CONSOLE, roomId } from "./console-chat.js";
import {
  DeclarePage,
  HomePage,
  IncidentList,
  IncidentLive,
  IncidentPage,
  NotIncidentPage,
  ProblemPage,
  RoomLive,
  RoomPage,
  RoomsPage,
  SignInPage,
  type IncidentListData,
  type IncidentPageData,
  type PageContext,
} from "./console-pages.js";

/** How the console's help and hints name commands: as in Slack, and typing the prefix is optional. */
const PREFIX = "/incident";
const ROOM_MESSAGES = 200;
const OPEN_SHOWN = 100;
const RESOLVED_PAGE = 20;
/** Failed deliveries and dead letters on the front page; the API pages through the rest. */
const FAILED_SHOWN = 20;
const FORM_LIMIT_BYTES = 64 * 1024;

type C = Context<ConsoleEnv>;

/**
 * GET /console and its pages and forms: the incidents, one incident, the rooms, and the forms and
 * command box through which people run an incident. Every request a person makes becomes the same
 * ChatRequest a Slack or Teams request does.
 */
export function consoleRoutes(deps: RouteContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const grammar = grammarContext(deps.config);
  const access = { token: deps.settings.apiToken, isLoopback: deps.isLoopback };
  const console_ = deps.chat.on(CONSOLE);

  const page = (c: C): PageContext => ({
    viewer: c.get("viewer") ?? { person: null, csrf: "" },
    config: deps.config,
    roomHref: (reference) => {
      const { chat, channel } = deps.chat.at(reference);
      return chat === console_ ? `/console/rooms/${encodeURIComponent(channel.replace(/^console:/, "").replace(/^#/, ""))}` : null;
    },
  });

  /** A whole page, with its doctype. */
  const html = async (c: C, element: JSX.Element, status: 200 | 202 | 400 | 403 | 404 | 415 | 422 | 500 = 200) =>
    c.html(`<!DOCTYPE html>${await element}`, status);

  app.onError((error, c) => {
    const status = error instanceof ConsoleRefusal || error instanceof HeraldError ? error.status : 500;
    if (status === 500) deps.log(`console: ${c.req.method} ${c.req.path}: ${(error as Error).stack ?? error}`);
    // The rest of a form too large is not read, by anyone.
    if (status === 413) closeConnection(c);
    const message = status === 500 ? "Something went wrong; the server log says what." : error.message;
    return html(c, <ProblemPage ctx={page(c)} title={status === 403 ? "Not here" : "That did not work"} message={message} />, status as 400);
  });

  app.get("/console/assets/console.css", (c) => c.body(CONSOLE_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "no-cache" }));
  app.get("/console/assets/live.js", (c) => c.body(LIVE_JS, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }));
  // The size is checked before anything reads the body.
  app.post("/console/*", readForm(FORM_LIMIT_BYTES));
  app.use("/console", consoleAccess(access));
  app.use("/console/*", consoleAccess(access));

  app.get("/console/sign-in", (c) =>
    html(c, <SignInPage ctx={page(c)} tokenNeeded={access.token !== null} next={safeBack(c.req.query("next"))} error={null} name="" />),
  );
  app.post("/console/sign-in", async (c) => {
    const form = await c.req.parseBody();
    const name = String(form.name ?? "").trim();
    const problem = await signIn(c, access, { name, token: String(form.token ?? "") });
    if (problem) return html(c, <SignInPage ctx={page(c)} tokenNeeded={access.token !== null} next={safeBack(form.next)} error={problem} name={name} />, 400);
    return c.redirect(safeBack(form.next), 303);
  });
  app.post("/console/sign-out", (c) => {
    signOut(c);
    return c.redirect("/console/sign-in", 303);
  });

  app.get("/console", async (c) => {
    // Every open incident (a few at most, on any day), the latest resolved ones a page at a time.
    const now = deps.clock.now();
    const [open, resolved, failed, gaveUp, backlog] = await Promise.all([
      deps.store.pageIncidents({ limit: OPEN_SHOWN, status: "open" }),
      deps.store.pageIncidents({ limit: RESOLVED_PAGE, status: "resolved", cursor: c.req.query("older") ?? null }),
      deps.store.failedDeliveries({ limit: FAILED_SHOWN }),
      deps.store.failedEffects({ limit: FAILED_SHOWN }),
      readBacklog(deps.store, now, CONSOLE_BACKLOG_COUNTED),
    ]);
    // Each dead letter named by its incident (a few incidents at most, read side by side).
    const gaveUpIncidents = new Map<string, Incident>();
    await Promise.all(
      [...new Set(gaveUp.items.map((e) => e.incidentId))].map(async (id) => {
        const incident = await deps.store.getIncident(id);
        if (incident) gaveUpIncidents.set(id, incident);
      }),
    );
    const list: IncidentListData = {
      open: open.items,
      moreOpen: open.next !== null,
      resolved: resolved.items,
      older: resolved.next,
      failed: failed.items,
      moreFailed: failed.next !== null,
      gaveUp: gaveUp.items,
      moreGaveUp: gaveUp.next !== null,
      gaveUpIncidents,
      backlog,
      now: now.toISOString(),
    };
    if (c.req.query("live")) return live(c, <IncidentList ctx={page(c)} list={list} />);
    return html(c, <HomePage ctx={page(c)} list={list} live={`/console?live=1${c.req.query("older") ? `&older=${encodeURIComponent(c.req.query("older")!)}` : ""}`} />);
  });

  app.get("/console/rooms", async (c) => html(c, <RoomsPage ctx={page(c)} rooms={await deps.store.localChannels()} />));

  app.get("/console/rooms/:name", async (c) => {
    const room = await roomNamed(c.req.param("name"));
    const viewer = c.get("viewer").person!.id;
    const messages = await deps.store.roomMessages(room.id, viewer, ROOM_MESSAGES);
    if (c.req.query("live")) return live(c, <RoomLive ctx={page(c)} room={room} messages={messages} />);
    const incident = await deps.store.findIncidentByChannel(room.id);
    return html(c, <RoomPage ctx={page(c)} room={room} messages={messages} incident={incident} />);
  });

  app.get("/console/incidents/:id", async (c) => {
    const id = c.req.param("id");
    const data = await incidentPageData(id, c.get("viewer").person!.id);
    if (!data) {
      // A declaration on its way: Herald puts it on the record in a moment.
      const waited = Number(c.req.query("wait") ?? 0);
      if (!id.startsWith("declared-") || waited >= 30) throw new HeraldError("not_found", 404, `There is no incident ${id}.`);
      c.header("Refresh", `1; url=/console/incidents/${encodeURIComponent(id)}?wait=${waited + 1}`);
      return html(c, <ProblemPage ctx={page(c)} title="Declaring…" message="Herald is opening the incident; this page follows in a moment." />, 202);
    }
    if (c.req.query("live")) return live(c, <IncidentLive ctx={page(c)} data={data} />);
    return html(c, <IncidentPage ctx={page(c)} data={data} />);
  });

  for (const kind of ["postmortem", "runbook"] as DocumentKind[]) {
    app.get(`/console/incidents/:id/${kind}.md`, async (c) => {
      const document = await renderDocument(kind, c.req.param("id"), deps);
      if (!document) throw new HeraldError("not_found", 404, `There is no incident ${c.req.param("id")}.`);
      return c.body(document.markdown, 200, { "content-type": "text/markdown; charset=utf-8" });
    });
  }

  // The command box: Herald's grammar, typed as in Slack (`/incident` optional).
  app.post("/console/rooms/:name/say", async (c) => {
    const form = await c.req.parseBody();
    const room = await roomNamed(c.req.param("name"));
    return take(c, room, String(form.text ?? ""), "command", form);
  });

  // The incident page's forms: each is written as the command it stands for, and taken as one.
  app.post("/console/rooms/:name/do", async (c) => {
    const form = await c.req.parseBody();
    const room = await roomNamed(c.req.param("name"));
    return take(c, room, formCommand(form), "form", form);
  });

  // A button under one of Herald's messages.
  app.post("/console/rooms/:name/press", async (c) => {
    const form = await c.req.parseBody();
    const room = await roomNamed(c.req.param("name"));
    const action = String(form.action ?? "");
    if (action === TRIAGE_DECLARE) return c.redirect(`/console/declare?room=${encodeURIComponent(room.name)}`, 303);
    if (action === TRIAGE_NOT_INCIDENT) return c.redirect(`/console/not-incident?room=${encodeURIComponent(room.name)}`, 303);
    const role = volunteerRole(action);
    const text = role ? `${role} me` : action === STATUS_PUBLISH ? "status publish" : null;
    if (!text) throw new ConsoleRefusal(400, `Herald has no button '${action}'.`);
    // A volunteer button names its incident: it is posted in the team's room too.
    const named = role && typeof form.value === "string" ? await deps.store.getIncident(form.value) : null;
    return take(c, room, text, "button", form, named && named.channel?.id !== room.id ? named.id : undefined, action === STATUS_PUBLISH ? publishCommand(form.value) : undefined);
  });

  // "Try again" on an action Herald gave up on: queued again (a second press finds it queued already).
  app.post("/console/effects/retry", async (c) => {
    const form = await c.req.parseBody();
    const key = String(form.key ?? "");
    const result = await tryAgain(deps.store, key, deps.clock.now().toISOString());
    if (result.status === "not_found") throw new HeraldError("not_found", 404, `Herald has no action ${key}.`);
    if (result.status === "queued") deps.background.schedule("dead letter tried again");
    return c.redirect(safeBack(form.back), 303);
  });

  // "Try all again": every action Herald gave up on, as after an outage longer than its hour of retries.
  app.post("/console/effects/retry-all", async (c) => {
    const form = await c.req.parseBody();
    const queued = await tryAllAgain(deps.store, deps.clock.now().toISOString());
    if (queued.failed > 0) deps.background.schedule("dead letters tried again");
    return c.redirect(safeBack(form.back), 303);
  });

  app.get("/console/declare", async (c) => html(c, <DeclarePage ctx={page(c)} room={c.req.query("room") ?? teamRoom()} values={{}} errors={{}} />));
  app.post("/console/declare", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const values = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));
    const room = await roomNamed(String(values.room ?? teamRoom()));
    const read = readDeclareForm(deps.config, values);
    if (!read.ok) return html(c, <DeclarePage ctx={page(c)} room={room.name} values={values} errors={read.errors} />, 422);
    const command: ChatCommand = { name: "declare", quick: read.details };
    const answered = await answerAtOnce({ ok: true, command }, "declare", answerContext(c, room, String(values._once ?? "")));
    if (answered.kind === "refused") return html(c, <DeclarePage ctx={page(c)} room={room.name} values={values} errors={{}} refused={answered.text} />, 422);
    const request = await accept(c, room, command, "declare", "form", String(values._once ?? ""));
    return c.redirect(`/console/incidents/${encodeURIComponent(declaredIncidentId(request.id))}`, 303);
  });

  app.get("/console/not-incident", (c) => html(c, <NotIncidentPage ctx={page(c)} room={c.req.query("room") ?? teamRoom()} reason="" error={null} />));
  app.post("/console/not-incident", async (c) => {
    const form = await c.req.parseBody();
    const room = await roomNamed(String(form.room ?? teamRoom()));
    const reason = String(form.reason ?? "").trim();
    if (!reason) return html(c, <NotIncidentPage ctx={page(c)} room={room.name} reason="" error="Say why this is not an incident." />, 422);
    const command: ChatCommand = { name: "not-incident", reason };
    // Refused (not from a team channel) or said a moment ago: told in the form, as the declare form does.
    const answered = await answerAtOnce({ ok: true, command }, "not-incident", answerContext(c, room, String(form._once ?? "")));
    if (answered.kind === "refused") return html(c, <NotIncidentPage ctx={page(c)} room={room.name} reason={reason} error={answered.text} />, 422);
    await accept(c, room, command, "not-incident", "form", String(form._once ?? ""));
    return c.redirect(`/console/rooms/${encodeURIComponent(room.name)}`, 303);
  });

  /**
   * Takes a command said in a room, or a button pressed (`pressed`: the command it stands for, and
   * `said`, its words): answered at once (to the person only), and on the record in the background.
   */
  async function take(c: C, room: LocalChannel, said: string, via: ChatRequest["via"], form: Record<string, unknown>, incidentId?: string, pressed?: ChatCommand) {
    const back = safeBack(form.back, `/console/rooms/${encodeURIComponent(room.name)}`);
    const text = withMentions(withoutPrefix(said));
    const person = c.get("viewer").person!;
    const word = text.trim().split(/\s+/)[0] ?? "";
    const parsed: ParsedCommand = pressed ? { ok: true, command: pressed } : parseChatCommand(text, grammar);
    const answered = await answerAtOnce(parsed, word, answerContext(c, room, String(form._once ?? ""), incidentId));
    switch (answered.kind) {
      case "mistake":
      case "refused":
      case "info":
        await whisper(room, person.id, answered.text);
        break;
      case "help":
        await whisper(room, person.id, helpReply(PREFIX));
        break;
      case "triage":
        await whisper(room, person.id, triageText(deps.config, PREFIX), [...TRIAGE_BUTTONS]);
        break;
      case "form":
        return c.redirect(`/console/declare?room=${encodeURIComponent(room.name)}`, 303);
      case "take": {
        const request = await accept(c, room, answered.command, word, via, String(form._once ?? ""), incidentId);
        if (request.fresh) await whisper(room, person.id, answered.acknowledgement);
        if (answered.command.name === "declare") return c.redirect(`/console/incidents/${encodeURIComponent(declaredIncidentId(request.id))}`, 303);
      }
    }
    return c.redirect(back, 303);
  }

  /** `once`: the form's one-time id, so a form sent again is not taken for the same thing said twice. */
  function answerContext(c: C, room: LocalChannel, once: string, incidentId?: string): AnswerContext {
    const by = { platform: CONSOLE, channel: room.id, actorId: c.get("viewer").person!.id, at: deps.clock.now().toISOString() };
    const own = onceId(once);
    return {
      config: deps.config,
      prefix: PREFIX,
      userId: c.get("viewer").person!.id,
      channel: room.id,
      now: deps.clock.now(),
      incident: () => (incidentId ? deps.store.getIncident(incidentId) : deps.store.findIncidentByChannel(room.id)),
      openIncidents: (limit) => deps.store.openIncidents(limit),
      saidAgain: (command) => saidAgain(command, own ? { ...by, ...ownWork(own) } : by, deps.store),
    };
  }

  /** Stores the request once (a form sent twice carries the same one-time id) and asks for a background run. */
  async function accept(c: C, room: LocalChannel, command: ChatCommand, word: string, via: ChatRequest["via"], once: string, incidentId?: string) {
    const id = onceId(once) ?? `console:${crypto.randomUUID()}`;
    const request: ChatRequest = {
      id,
      platform: CONSOLE,
      receivedAt: deps.clock.now().toISOString(),
      actor: c.get("viewer").person!,
      place: { channel: room.id, threadId: null },
      via,
      ...(incidentId ? { incidentId } : {}),
      asked: { ok: true, command, word },
      answer: "given",
      replyUrl: null,
      prefix: PREFIX,
    };
    const fresh = await acceptDelivery(deps, { id, source: CONSOLE, body: JSON.stringify({ via, command }), request });
    return { id, fresh };
  }

  /** An answer only the person who asked sees, in the room they asked in. */
  async function whisper(room: LocalChannel, personId: string, text: string, buttons?: ChatButton[]) {
    await deps.store.saveLocalMessage({
      id: `${room.id}/${crypto.randomUUID()}`,
      channelId: room.id,
      channelName: room.name,
      idempotencyKey: null,
      text,
      postedAt: deps.clock.now().toISOString(),
      visibleTo: personId,
      ...(buttons ? { buttons } : {}),
    });
  }

  /** A room by name; the team's standing rooms come into being on first use. */
  async function roomNamed(name: string): Promise<LocalChannel> {
    const found = (await deps.store.findLocalChannel(roomId(name))) ?? (await deps.store.findLocalChannel(name));
    if (found) return found;
    if (!Object.values(standingRooms()).includes(name)) throw new HeraldError("not_found", 404, `There is no room #${name}.`);
    const created = await deps.store.createLocalChannel({ id: roomId(name), name }, deps.clock.now().toISOString());
    return created === "name_taken" ? (await deps.store.findLocalChannel(name))! : created;
  }

  function teamRoom(): string {
    return standingRooms().team;
  }

  /** The console's rooms for the team's channels: as configured, or by their role where the configuration names another platform's channel. */
  function standingRooms(): Record<keyof typeof deps.config.channels, string> {
    const name = (key: keyof typeof deps.config.channels) => {
      const { chat, channel } = deps.chat.at(deps.chat.place(deps.config.channels[key], CONSOLE));
      return chat === console_ ? channel.replace(/^console:/, "").replace(/^#/, "") : key;
    };
    return { team: name("team"), ask: name("ask"), update: name("update") };
  }

  async function incidentPageData(id: string, viewer: string): Promise<IncidentPageData | null> {
    const incident = await deps.store.getIncident(id);
    if (!incident) return null;
    const [timeline, effects] = await Promise.all([deps.store.timeline(incident.id), deps.store.effectsFor(incident.id)]);
    const room = incident.channel && console_.owns(incident.channel.id) ? await deps.store.findLocalChannel(incident.channel.id) : null;
    const messages = room ? await deps.store.roomMessages(room.id, viewer, 30) : [];
    return { incident, timeline, effects, room, messages };
  }

  /** A page's live part: 304 when it has not changed since the browser's copy. */
  async function live(c: C, fragment: JSX.Element) {
    const html = String(await fragment);
    // Each form carries a fresh one-time id; what changed is everything else.
    const etag = `"${shortHash(html.replace(/name="_once" value="[^"]*"/g, ""))}"`;
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
    return c.html(html, 200, { etag, "cache-control": "no-cache" });
  }

  return app;
}

/** The command said in the console without how Slack or Teams would invoke Herald (`/incident`, `@Herald incident`). */
function withoutPrefix(text: string): string {
  return text.trim().replace(/^(?:\/incident\b|@herald\b)\s*/i, "").replace(/^incident\s+/i, "");
}

/** In the console people are named by their console names: `lead @ada` names the person who signed in as ada. */
function withMentions(text: string): string {
  if (!/^(lead|scribe|role)\s/i.test(text)) return text;
  return text.replace(/(^|\s)@([\p{L}\p{N}._-]{1,32})(?=\s|$)/gu, "$1<@$2|$2>");
}

/** The incident page's forms, written as the commands they stand for. */
function formCommand(form: Record<string, unknown>): string {
  const field = (name: string) => String(form[name] ?? "").trim();
  const what = field("do");
  switch (what) {
    case "lead me":
    case "scribe me":
    case "status publish":
    case "announce ask":
    case "announce update":
    case "postmortem":
    case "runbook":
      return what;
    case "assign": {
      const role = field("role");
      const who = `@${field("who").replace(/^@/, "")}`;
      return role === "lead" || role === "scribe" ? `${role} ${who}` : `role ${role} ${who}`;
    }
    case "note":
      return `note ${field("category") || "event"}: ${field("text")}`;
    case "status draft":
      return `status draft ${field("text")}`.trim();
    case "ticket":
      return `ticket ${field("party")} ${field("case")} ${field("url")}`.trim();
    case "resolve":
      return `resolve ${form.temporary ? "--temporary " : ""}${field("note")}`;
    case "postmortem schedule":
      return `postmortem schedule ${field("when")}`;
    default:
      throw new ConsoleRefusal(400, `The console has no form '${what}'.`);
  }
}

/** A console address to go back to; anything else (another site, say) goes to the console's home. */
function safeBack(value: unknown, fallback = "/console"): string {
  return typeof value === "string" && /^\/console(\/[^\s\\]*)?$/.test(value) && !value.startsWith("//") ? value : fallback;
}

export type DeclareForm = { ok: true; details: DeclareDetails } | { ok: false; errors: Record<string, string> };

/** The declare form's fields, checked; errors by field, in words. */
function readDeclareForm(config: RouteContext["config"], values: Record<string, string | string[]>): DeclareForm {
  const text = (k: string) => (typeof values[k] === "string" ? (values[k] as string).trim() : "");
  const errors: Record<string, string> = {};
  const title = text("title");
  if (!title) errors.title = "Give the incident a meaningful title.";
  else if (title.length > 150) errors.title = "Keep the title to 150 characters.";
  const description = text("description");
  if (description.length > 3000) errors.description = "Keep the description to 3,000 characters.";
  const service = config.services.find((s) => s.key === text("service"));
  if (!service) errors.service = "Choose the impacted service.";
  const priority = config.priorities.find((p) => p.name === text("priority"));
  if (!priority) errors.priority = "Choose a priority.";
  const notify = ([] as string[]).concat(values.notify ?? []).filter((n): n is "ask" | "update" => n === "ask" || n === "update");
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, details: { title, description: description || null, service: service!.key, priority: priority!.name, notify } };
}

/** The id of the request a form's one-time id stands for; null when it carries none. */
function onceId(once: string): string | null {
  return /^[0-9a-f-]{36}$/.test(once) ? `console:${once}` : null;
}
