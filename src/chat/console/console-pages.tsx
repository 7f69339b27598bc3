/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { Config } from "../../config/schema.js";
import { TIMELINE_CATEGORIES, type Incident, type TimelineEntry } from "../../domain/incident.js";
import { deadLetterExcerpt } from "../../effects/dead-letter.js";
import type { Backlog, Effect, FailedDelivery, LocalChannel, LocalMessage } from "../../ports/store.js";
import { formatElapsed, formatTime } from "../../render/helpers.js";
import type { ConsoleViewer } from "./console-access.js";
import { messageParts } from "../message-parts.js";
import { emoji, InlineMarkup, Markup, type RoomHref } from "./markup.js";

/** What every page is drawn with. */
export interface PageContext {
  viewer: ConsoleViewer;
  config: Config;
  /** The link to a room, for a channel reference; null when it is not the console's. */
  roomHref: RoomHref;
}

const time = (iso: string | null | undefined, ctx: PageContext) => (iso ? formatTime(iso, ctx.config.timezone) : "—");

/** The page around every view: header, navigation, who you are. `live` is polled and swapped in place. */
export function Layout(props: { title: string; ctx: PageContext; children: Child }) {
  const { person, csrf } = props.ctx.viewer;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Herald`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/live.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/console">
            Herald
          </a>
          <nav>
            <a href="/console">Incidents</a>
            <a href="/console/rooms">Rooms</a>
            <a class="button primary" href="/console/declare">
              Declare
            </a>
          </nav>
          {person ? (
            <form class="who" method="post" action="/console/sign-out">
              <input type="hidden" name="_csrf" value={csrf} />
              <span>{person.name}</span> <button class="link">Sign out</button>
            </form>
          ) : null}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** A form that posts with the CSRF token and a one-time id (a resubmitted form is taken once). */
export function PostForm(props: { action: string; ctx: PageContext; class?: string; children: Child }) {
  return (
    <form method="post" action={props.action} class={props.class}>
      <input type="hidden" name="_csrf" value={props.ctx.viewer.csrf} />
      <input type="hidden" name="_once" value={crypto.randomUUID()} />
      {props.children}
    </form>
  );
}

export function Priority(props: { name: string | null }) {
  return <span class={`badge prio-${(props.name ?? "none").toLowerCase()}`}>{props.name ?? "no priority"}</span>;
}

export function Status(props: { status: Incident["status"] }) {
  return <span class={`badge status-${props.status}`}>{props.status}</span>;
}

/** The incidents, open ones first, and the rooms. */
export interface IncidentListData {
  open: Incident[];
  /** More open incidents than shown. */
  moreOpen: boolean;
  /** The latest resolved ones, a page. */
  resolved: Incident[];
  /** The cursor of the next page of resolved ones. */
  older: string | null;
  /** The latest deliveries Herald could not process, and whether there are more. */
  failed: FailedDelivery[];
  moreFailed: boolean;
  /** The latest actions Herald gave up on (dead letters), and whether there are more. */
  gaveUp: Effect[];
  moreGaveUp: boolean;
  /** The incidents of those dead letters, by id, to name them. */
  gaveUpIncidents: Map<string, Incident>;
  /** What Herald still has to do, and whether it is behind. */
  backlog: Backlog & { behind: boolean };
  now: string;
}

export function HomePage(props: { ctx: PageContext; list: IncidentListData; live: string }) {
  return (
    <Layout title="Incidents" ctx={props.ctx}>
      <section id="live" data-live={props.live}>
        <IncidentList ctx={props.ctx} list={props.list} />
      </section>
    </Layout>
  );
}

export function IncidentList(props: { ctx: PageContext; list: IncidentListData }) {
  const { list } = props;
  const rows = (incidents: Incident[]) =>
    incidents.map((i) => (
      <li class="incident-row">
        <Priority name={i.priority} />
        <a class="title" href={`/console/incidents/${encodeURIComponent(i.id)}`}>
          {incidentName(i, i.id)}
        </a>
        <Status status={i.status} />
        <span class="meta">
          {i.service?.name ?? "service not set"} · since {time(i.triggeredAt, props.ctx)} · lead {i.roles.lead?.name ?? "needed"}
        </span>
      </li>
    ));
  return (
    <div>
      {list.backlog.behind ? <Behind ctx={props.ctx} backlog={list.backlog} now={list.now} /> : null}
      <h1>Open incidents</h1>
      {list.open.length ? <ul class="incidents">{rows(list.open)}</ul> : <p class="empty">No incident is open. Declare one if something is wrong.</p>}
      {list.moreOpen ? <p class="meta">{`Only the newest ${list.open.length} open incidents are shown; the API lists them all (GET /api/incidents?status=open).`}</p> : null}
      {list.gaveUp.length ? (
        <section class="card failed dead-letters">
          <h2>{`Needs a look: ${counted(list.gaveUp.length, list.moreGaveUp, "action", "actions")} Herald gave up on`}</h2>
          {list.moreGaveUp ? <p class="meta">{`The latest ${list.gaveUp.length} are shown; the API lists them all (GET /api/effects/failed).`}</p> : null}
          {list.gaveUp.length > 1 ? (
            <PostForm action="/console/effects/retry-all" ctx={props.ctx} class="try-again try-all">
              <input type="hidden" name="back" value="/console" />
              <button class="button">{list.moreGaveUp ? "Try them all again" : `Try all ${list.gaveUp.length} again`}</button>
            </PostForm>
          ) : null}
          <ul class="effects">
            {list.gaveUp.map((e) => (
              <li class="effect effect-failed">
                <span class="badge">{e.payload.kind.replace(/_/g, " ")}</span>{" "}
                <a href={`/console/incidents/${encodeURIComponent(e.incidentId)}`}>{incidentName(list.gaveUpIncidents.get(e.incidentId), e.incidentId)}</a>
                {`, after ${e.attempts} ${e.attempts === 1 ? "attempt" : "attempts"}, ${time(e.updatedAt, props.ctx)}`}
                <Excerpt effect={e} />
                <div class="error">{e.lastError ?? "no reason was given"}</div>
                <TryAgain ctx={props.ctx} effect={e} back="/console" />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {list.failed.length ? (
        <section class="card failed">
          <h2>{`Needs a look: ${counted(list.failed.length, list.moreFailed, "delivery", "deliveries")} Herald could not process`}</h2>
          {list.moreFailed ? <p class="meta">{`The latest ${list.failed.length} are shown; the API lists them all (GET /api/deliveries/failed).`}</p> : null}
          <ul class="effects">
            {list.failed.map((f) => (
              <li class="effect effect-failed">
                <span class="badge">{f.source}</span> {`${f.id}, received ${time(f.receivedAt, props.ctx)}`}
                <div class="error">{f.error}</div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {list.resolved.length ? (
        <>
          <h2>Resolved</h2>
          <ul class="incidents resolved">{rows(list.resolved)}</ul>
          {list.older ? <a class="older" href={`/console?older=${encodeURIComponent(list.older)}`}>Older resolved incidents</a> : null}
        </>
      ) : null}
    </div>
  );
}

/**
 * Herald is behind (a vendor failing, a flood): how much waits, what it fails with, and that it
 * keeps trying, so that people know why a room or an announcement is late.
 */
export function Behind(props: { ctx: PageContext; backlog: Backlog; now: string }) {
  const { most, deliveries, effects } = props.backlog;
  const many = (n: number) => n.toLocaleString("en-US");
  const atMost = effects.waiting >= most;
  const retrying = effects.retrying ? `${many(effects.retrying)} ${effects.retrying === 1 ? "is" : "are"} being tried again after failing` : "";
  return (
    <section class="card behind">
      <h2>Herald is behind</h2>
      <p>
        {atMost
          ? `At least ${many(most)} actions to do${retrying ? `; of the next ${many(most)}, ${retrying}` : ""}.`
          : `${many(effects.waiting)} ${effects.waiting === 1 ? "action" : "actions"} to do${retrying ? `; ${retrying}` : ""}.`}
        {effects.dueSince ? ` The longest waiting has been due for ${formatElapsed(effects.dueSince, props.now)} (since ${time(effects.dueSince, props.ctx)}).` : ""}
      </p>
      {deliveries.waiting ? (
        <p>{`${deliveries.waiting >= most ? `At least ${many(most)}` : many(deliveries.waiting)} ${deliveries.waiting === 1 ? "delivery is" : "deliveries are"} not yet on the record, the oldest received ${time(deliveries.oldestReceivedAt, props.ctx)}.`}</p>
      ) : null}
      {effects.errors.length ? (
        <ul class="effects">
          {effects.errors.map((e) => (
            <li class="effect">
              <div class="error">{e.error}</div>
              <span class="meta">{`${many(e.count)} ${e.count === 1 ? "action" : "actions"}, the last tried ${time(e.lastAt, props.ctx)}`}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <p class="meta">Herald keeps trying, each room's posts in order; what it gives up on is listed below, to be tried again. GET /api/backlog counts further, up to 1,000.</p>
    </section>
  );
}

/** "#42 Disk full", as the incident lists name it; its id when it is not on the record. */
function incidentName(incident: Incident | undefined, id: string): string {
  if (!incident) return id;
  return `${incident.number !== null ? `#${incident.number} ` : ""}${incident.title}`;
}

/** "3 actions", or "more than 20 actions" when a list shows only its first page. */
function counted(shown: number, more: boolean, one: string, many: string): string {
  return `${more ? "more than " : ""}${shown} ${shown === 1 && !more ? one : many}`;
}

export function RoomsPage(props: { ctx: PageContext; rooms: LocalChannel[] }) {
  return (
    <Layout title="Rooms" ctx={props.ctx}>
      <h1>Rooms</h1>
      <p class="hint">The team's rooms and each incident's room. Commands typed in a room work as in Slack: <code>lead me</code>, <code>note decision: roll back</code>, <code>help</code>.</p>
      <ul class="rooms">
        {props.rooms.map((r) => (
          <li>
            <a href={`/console/rooms/${encodeURIComponent(r.name)}`}>#{r.name}</a>
            {r.topic ? <span class="meta"> {r.topic}</span> : null}
          </li>
        ))}
      </ul>
      {props.rooms.length === 0 ? <p class="empty">No room yet: the team's rooms appear with their first message.</p> : null}
    </Layout>
  );
}

/** One room: its messages (the ones meant for you too), and the command box. */
export function RoomPage(props: { ctx: PageContext; room: LocalChannel; messages: LocalMessage[]; incident: Incident | null }) {
  const { room, ctx, incident } = props;
  const path = `/console/rooms/${encodeURIComponent(room.name)}`;
  return (
    <Layout title={`#${room.name}`} ctx={ctx}>
      <div class="room-head">
        <h1>#{room.name}</h1>
        {incident ? (
          <a class="button" href={`/console/incidents/${encodeURIComponent(incident.id)}`}>
            Incident page
          </a>
        ) : null}
      </div>
      <section id="live" data-live={`${path}?live=1`}>
        <RoomLive ctx={ctx} room={room} messages={props.messages} />
      </section>
      <CommandBox ctx={ctx} room={room} back={path} sticky />
    </Layout>
  );
}

export function RoomLive(props: { ctx: PageContext; room: LocalChannel; messages: LocalMessage[]; back?: string }) {
  const { room, ctx } = props;
  const top = props.messages.filter((m) => !m.threadId || !props.messages.some((p) => p.id === m.threadId));
  return (
    <div>
      {room.topic ? <p class="topic">{room.topic}</p> : null}
      <ol class="messages">
        {top.map((m) => (
          <MessageItem ctx={ctx} room={room} message={m} replies={props.messages.filter((r) => r.threadId === m.id)} back={props.back} />
        ))}
      </ol>
      {top.length === 0 ? <p class="empty">Nothing here yet.</p> : null}
    </div>
  );
}

function MessageItem(props: { ctx: PageContext; room: LocalChannel; message: LocalMessage; replies: LocalMessage[]; back?: string }) {
  const m = props.message;
  const path = `/console/rooms/${encodeURIComponent(props.room.name)}`;
  const back = props.back ?? path;
  return (
    <li class={m.visibleTo ? "message private" : "message"} id={`m-${m.id.split("/").pop()}`}>
      <div class="by">
        <strong>Herald</strong> <time datetime={m.postedAt}>{time(m.postedAt, props.ctx)}</time>
        {m.visibleTo ? <span class="meta"> · only you can see this</span> : null}
      </div>
      <MessageBody text={m.text} roomHref={props.ctx.roomHref} />
      {m.file ? (
        <details class="file">
          <summary>
            📎 {m.file.filename}{" "}
            <a download={m.file.filename} href={`data:text/calendar;charset=utf-8,${encodeURIComponent(m.file.content)}`}>
              download
            </a>
          </summary>
          <pre>{m.file.content}</pre>
        </details>
      ) : null}
      {m.buttons?.length ? (
        <div class="buttons">
          {m.buttons.map((b) => (
            <PostForm action={`${path}/press`} ctx={props.ctx} class="inline">
              <input type="hidden" name="action" value={b.actionId} />
              <input type="hidden" name="value" value={b.value} />
              <input type="hidden" name="back" value={back} />
              <button class="button">{b.label}</button>
            </PostForm>
          ))}
        </div>
      ) : null}
      {props.replies.length ? (
        <ol class="thread">
          {props.replies.map((r) => (
            <MessageItem ctx={props.ctx} room={props.room} message={r} replies={[]} back={back} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

/** A message as its neutral parts: heading, then text and fields in order (see chat/message-parts.ts). */
function MessageBody(props: { text: string; roomHref: RoomHref }) {
  const parts = messageParts(props.text);
  return (
    <div class="body">
      {parts.heading ? (
        <p class="heading">
          {parts.icon ? `${emoji(parts.icon)} ` : null}
          <InlineMarkup text={parts.heading} roomHref={props.roomHref} />
        </p>
      ) : null}
      {parts.blocks.map((block) =>
        block.kind === "text" ? (
          <Markup text={block.markup} roomHref={props.roomHref} />
        ) : (
          <dl class="fields">
            {block.fields.map((f) => (
              <>
                <dt>{f.label}</dt>
                <dd>
                  <InlineMarkup text={f.value} roomHref={props.roomHref} />
                </dd>
              </>
            ))}
          </dl>
        ),
      )}
    </div>
  );
}

export function CommandBox(props: { ctx: PageContext; room: LocalChannel; back: string; sticky?: boolean }) {
  return (
    <PostForm action={`/console/rooms/${encodeURIComponent(props.room.name)}/say`} ctx={props.ctx} class={props.sticky ? "command-box sticky" : "command-box"}>
      <input type="hidden" name="back" value={props.back} />
      <label for="command" class="sr-only">
        Command
      </label>
      <input id="command" name="text" autocomplete="off" required maxlength={4000} placeholder="A command, as in Slack: lead me · note decision: roll back · help" />
      <button class="button primary">Send</button>
    </PostForm>
  );
}

export interface IncidentPageData {
  incident: Incident;
  timeline: TimelineEntry[];
  effects: Effect[];
  room: LocalChannel | null;
  messages: LocalMessage[];
}

/** One incident: summary, roles, what to do next, and (live) status page, timeline, effects and room. */
export function IncidentPage(props: { ctx: PageContext; data: IncidentPageData }) {
  const { incident, room } = props.data;
  const { ctx } = props;
  const path = `/console/incidents/${encodeURIComponent(incident.id)}`;
  return (
    <Layout title={incident.title} ctx={ctx}>
      <section id="live" data-live={`${path}?live=1`}>
        <IncidentLive ctx={ctx} data={props.data} />
      </section>
      {room && incident.status !== "resolved" ? <IncidentActions ctx={ctx} incident={incident} room={room} back={path} /> : null}
      {room && incident.status === "resolved" ? <AfterActions ctx={ctx} room={room} back={path} incident={incident} /> : null}
      {!room && incident.channel ? (
        <p class="hint">This incident is run on {incident.platform ?? "another platform"} (channel {incident.channel.name}): act there; this page shows its record.</p>
      ) : null}
      {room ? <CommandBox ctx={ctx} room={room} back={path} /> : null}
    </Layout>
  );
}

export function IncidentLive(props: { ctx: PageContext; data: IncidentPageData }) {
  const { incident, timeline, effects, room, messages } = props.data;
  const { ctx } = props;
  const roles = Object.entries(incident.roles);
  const draft = incident.statusPage?.draft;
  const priority = ctx.config.priorities.find((p) => p.name === incident.priority);
  return (
    // Whether it is resolved decides which actions the page offers: live.js reloads the page when that changes.
    <div data-phase={incident.status === "resolved" ? "resolved" : "open"}>
      <div class="incident-head">
        <Priority name={incident.priority} />
        <Status status={incident.status} />
        <h1>
          {incident.number !== null ? `#${incident.number} ` : ""}
          {incident.title}
        </h1>
      </div>
      <dl class="facts">
        <dt>Service</dt>
        <dd>{incident.service?.name ?? "not set"}</dd>
        {priority ? (
          <>
            <dt>Impact</dt>
            <dd>{priority.description}</dd>
          </>
        ) : null}
        <dt>Started</dt>
        <dd>{time(incident.triggeredAt, ctx)}</dd>
        {incident.resolvedAt ? (
          <>
            <dt>Resolved</dt>
            <dd>
              {time(incident.resolvedAt, ctx)}
              {incident.resolution ? ` — ${incident.resolution.temporary ? "temporary fix: " : ""}${incident.resolution.note}` : ""}
            </dd>
          </>
        ) : null}
        {incident.description ? (
          <>
            <dt>Description</dt>
            <dd class="pre">{incident.description}</dd>
          </>
        ) : null}
        <dt>Room</dt>
        <dd>{room ? <a href={`/console/rooms/${encodeURIComponent(room.name)}`}>#{room.name}</a> : incident.channel ? incident.channel.name : "being made…"}</dd>
        {incident.url ? (
          <>
            <dt>PagerDuty</dt>
            <dd>
              <a href={incident.url} rel="noopener noreferrer" target="_blank">
                {incident.pagerdutyId}
              </a>
            </dd>
          </>
        ) : null}
        <dt>Roles</dt>
        <dd>
          {roles.length ? roles.map(([key, p]) => <span class="role">{`${key}: ${p.name}`}</span>) : null}
          {!incident.roles.lead ? <span class="role missing">lead: needed</span> : null}
          {!incident.roles.scribe ? <span class="role missing">scribe: needed</span> : null}
        </dd>
        <dt>Documents</dt>
        <dd>
          <a href={`/console/incidents/${encodeURIComponent(incident.id)}/postmortem.md`}>post-mortem draft</a> ·{" "}
          <a href={`/console/incidents/${encodeURIComponent(incident.id)}/runbook.md`}>runbook draft</a>
          {(incident.followUps ?? []).map((f) => (
            <>
              {" · "}
              {f.url ? (
                <a href={f.url} rel="noopener noreferrer" target="_blank">
                  {f.title}
                </a>
              ) : (
                f.title
              )}
            </>
          ))}
        </dd>
      </dl>

      <div class="columns">
        <section class="card">
          <h2>Status page</h2>
          {draft ? (
            <div class="draft">
              <p class="meta">Pending {draft.kind === "resolution" ? "resolution" : "update"}, prepared {time(draft.preparedAt, ctx)}</p>
              <blockquote class="pre">{draft.message}</blockquote>
            </div>
          ) : (
            <p class="empty">No update is pending.</p>
          )}
          {(incident.statusPage?.published ?? []).map((p) => (
            <p class="meta">{`Published (${p.kind}) by ${p.by.name}, ${time(p.at, ctx)}`}</p>
          ))}
        </section>
        <section class="card">
          <h2>Herald's actions</h2>
          {/* What needs a person's eye first: failed, waiting and skipped; the done ones folded away. */}
          <EffectList ctx={ctx} effects={effects.filter((e) => e.status !== "done")} back={`/console/incidents/${encodeURIComponent(incident.id)}`} />
          {effects.some((e) => e.status === "done") ? (
            <details>
              <summary>{`${effects.filter((e) => e.status === "done").length} done`}</summary>
              <EffectList ctx={ctx} effects={effects.filter((e) => e.status === "done")} back={`/console/incidents/${encodeURIComponent(incident.id)}`} />
            </details>
          ) : null}
        </section>
      </div>

      <section class="card">
        <h2>Timeline</h2>
        <ol class="timeline">
          {timeline.map((t) => (
            <li class={`entry cat-${t.category} src-${t.source}`}>
              <time datetime={t.at}>{time(t.at, ctx)}</time>
              <span class={`badge cat-${t.category}`}>{t.category}</span>
              <span class="text">{t.text}</span>
              <span class="meta">
                {" "}
                — {t.author?.name ?? "Herald"} via {t.source}
              </span>
            </li>
          ))}
        </ol>
      </section>

      {room ? (
        <section class="card">
          <h2>
            Room <a href={`/console/rooms/${encodeURIComponent(room.name)}`}>#{room.name}</a>
          </h2>
          <RoomLive ctx={ctx} room={room} messages={messages} back={`/console/incidents/${encodeURIComponent(incident.id)}`} />
        </section>
      ) : null}
    </div>
  );
}

function EffectList(props: { ctx: PageContext; effects: Effect[]; back: string }) {
  return (
    <ul class="effects">
      {props.effects.map((e) => (
        <li class={`effect effect-${e.status}`}>
          <span class="badge">{e.status.replace("_", " ")}</span> {e.payload.kind.replace(/_/g, " ")}
          {e.attempts > 1 ? <span class="meta">{` · ${e.attempts} attempts`}</span> : null}
          {e.status === "pending" && e.lastError ? <span class="meta">{` · tried again ${time(e.nextAttemptAt, props.ctx)}`}</span> : null}
          {e.status === "failed" ? <Excerpt effect={e} /> : null}
          {e.lastError ? <div class="error">{e.lastError}</div> : null}
          {e.status === "failed" ? <TryAgain ctx={props.ctx} effect={e} back={props.back} /> : null}
        </li>
      ))}
    </ul>
  );
}

/** What an action Herald gave up on was to say or make, for whoever does it by hand. */
function Excerpt(props: { effect: Effect }) {
  const what = deadLetterExcerpt(props.effect.payload);
  return what ? <blockquote class="excerpt">{what}</blockquote> : null;
}

/** Queues an action Herald gave up on again, once what made it fail is fixed. */
function TryAgain(props: { ctx: PageContext; effect: Effect; back: string }) {
  return (
    <PostForm action="/console/effects/retry" ctx={props.ctx} class="inline try-again">
      <input type="hidden" name="key" value={props.effect.key} />
      <input type="hidden" name="back" value={props.back} />
      <button class="button">Try again</button>
    </PostForm>
  );
}

/** The forms the process needs while an incident is open; each says the same as a command in its room. */
function IncidentActions(props: { ctx: PageContext; incident: Incident; room: LocalChannel; back: string }) {
  const { ctx, incident, room, back } = props;
  const action = `/console/rooms/${encodeURIComponent(room.name)}/do`;
  const Form = (p: { children: Child; class?: string }) => (
    <PostForm action={action} ctx={ctx} class={p.class}>
      <input type="hidden" name="back" value={back} />
      {p.children}
    </PostForm>
  );
  return (
    <section class="actions">
      <div class="card">
        <h2>Roles</h2>
        <div class="row">
          <Form class="inline">
            <input type="hidden" name="do" value="lead me" />
            <button class="button">I'll lead</button>
          </Form>
          <Form class="inline">
            <input type="hidden" name="do" value="scribe me" />
            <button class="button">I'll scribe</button>
          </Form>
        </div>
        <Form class="row">
          <input type="hidden" name="do" value="assign" />
          <select name="role" aria-label="Role">
            <option value="lead">Incident Lead</option>
            <option value="scribe">Scribe</option>
            {ctx.config.roles.map((r) => (
              <option value={r.key}>{r.name}</option>
            ))}
          </select>
          <input name="who" required placeholder="name" aria-label="Who" pattern="[^\s]{1,32}" />
          <button class="button">Appoint</button>
        </Form>
      </div>
      <div class="card">
        <h2>Add to the log</h2>
        <Form>
          <input type="hidden" name="do" value="note" />
          <div class="row">
            <select name="category" aria-label="Category">
              {TIMELINE_CATEGORIES.map((c) => (
                <option value={c}>{c}</option>
              ))}
            </select>
          </div>
          <textarea name="text" required rows={2} maxlength={3000} placeholder="yyy suggested the disk might be full; zzz to investigate" aria-label="Note"></textarea>
          <button class="button primary">Add note</button>
        </Form>
      </div>
      <div class="card">
        <h2>Status page and users</h2>
        <Form>
          <input type="hidden" name="do" value="status draft" />
          <textarea name="text" rows={2} maxlength={3000} placeholder="Leave empty to draft it from the template" aria-label="Status update"></textarea>
          <button class="button">Draft update</button>
        </Form>
        <div class="row">
          <Form class="inline">
            <input type="hidden" name="do" value="status publish" />
            <button class="button primary" disabled={!incident.statusPage?.draft}>
              Publish
            </button>
          </Form>
          <Form class="inline">
            <input type="hidden" name="do" value="announce ask" />
            <button class="button">Announce in ask</button>
          </Form>
          <Form class="inline">
            <input type="hidden" name="do" value="announce update" />
            <button class="button">Announce in update</button>
          </Form>
        </div>
      </div>
      {Object.keys(ctx.config.escalation).length ? (
        <div class="card">
          <h2>Support case</h2>
          <Form class="row">
            <input type="hidden" name="do" value="ticket" />
            <select name="party" aria-label="Third party">
              {Object.keys(ctx.config.escalation).map((k) => (
                <option value={k}>{k.toUpperCase()}</option>
              ))}
            </select>
            <input name="case" required placeholder="case id" aria-label="Case id" pattern="[^\s]{1,100}" />
            <input name="url" type="url" placeholder="https://… (optional)" aria-label="Case link" />
            <button class="button">Record</button>
          </Form>
        </div>
      ) : null}
      <div class="card">
        <h2>Resolve</h2>
        <Form>
          <input type="hidden" name="do" value="resolve" />
          <textarea name="note" required rows={2} maxlength={3000} placeholder="How it was resolved" aria-label="Resolution note"></textarea>
          <label class="check">
            <input type="checkbox" name="temporary" value="yes" /> A temporary fix (Herald raises an issue for the permanent one)
          </label>
          <button class="button danger">Resolve</button>
        </Form>
      </div>
    </section>
  );
}

/** After the resolve: the post-mortem meeting and the documents. */
function AfterActions(props: { ctx: PageContext; room: LocalChannel; back: string; incident: Incident }) {
  const { ctx, room, back } = props;
  const action = `/console/rooms/${encodeURIComponent(room.name)}/do`;
  return (
    <section class="actions">
      <div class="card">
        <h2>Post-mortem</h2>
        <PostForm action={action} ctx={ctx} class="row">
          <input type="hidden" name="back" value={back} />
          <input type="hidden" name="do" value="postmortem schedule" />
          <input name="when" required placeholder="tomorrow 14:00" aria-label="When" />
          <button class="button">Schedule the meeting</button>
        </PostForm>
        <div class="row">
          {(["postmortem", "runbook"] as const).map((doc) => (
            <PostForm action={action} ctx={ctx} class="inline">
              <input type="hidden" name="back" value={back} />
              <input type="hidden" name="do" value={doc} />
              <button class="button">{doc === "postmortem" ? "Propose the post-mortem" : "Propose the runbook"}</button>
            </PostForm>
          ))}
        </div>
      </div>
    </section>
  );
}

/** The declare form (process step 2): title, description, service, priority with its definition, notify users now. */
export function DeclarePage(props: {
  ctx: PageContext;
  room: string;
  values: Record<string, string | string[]>;
  errors: Record<string, string>;
  /** Why Herald refused the declare (in the chat markup: a room link, say), shown under the title. */
  refused?: string;
}) {
  const { ctx, values, errors } = props;
  const value = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : "");
  const notify = ([] as string[]).concat(values.notify ?? []);
  const Err = (p: { k: string }) => (errors[p.k] ? <p class="field-error">{errors[p.k]}</p> : null);
  return (
    <Layout title="Declare an incident" ctx={ctx}>
      <h1>Declare an incident</h1>
      <p class="hint">
        An incident is unplanned and impacts end users or our direct users, degrades user-facing services, or increases risk to production services. Not sure?{" "}
        <a href={`/console/not-incident?room=${encodeURIComponent(props.room)}`}>Not an incident</a> raises an issue instead.
        {ctx.config.security_report ? ` If this is a security breach: ${ctx.config.security_report} Report it here: ` : ""}
        {ctx.config.security_report ? (
          ctx.config.security_report_to?.startsWith("https://") ? (
            <a href={ctx.config.security_report_to}>{ctx.config.security_report_to}</a>
          ) : (
            (ctx.config.security_report_to ?? "not configured yet (security_report_to in herald.yaml)")
          )
        ) : null}
      </p>
      <PostForm action="/console/declare" ctx={ctx} class="card form">
        <input type="hidden" name="room" value={props.room} />
        <label>
          Title
          <input name="title" required maxlength={150} value={value("title")} placeholder="A meaningful title" />
        </label>
        <Err k="title" />
        {props.refused ? (
          <p class="field-error">
            <InlineMarkup text={props.refused} roomHref={ctx.roomHref} />
          </p>
        ) : null}
        <label>
          Description
          <textarea name="description" rows={4} maxlength={3000} placeholder="As much as you know: what is broken, since when, who is affected">
            {value("description")}
          </textarea>
        </label>
        <Err k="description" />
        <label>
          Impacted service
          <select name="service" required>
            <option value="">Choose…</option>
            {ctx.config.services.map((s) => (
              <option value={s.key} selected={value("service") === s.key}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <Err k="service" />
        <fieldset>
          <legend>Priority</legend>
          {ctx.config.priorities.map((p) => (
            <label class="radio">
              <input type="radio" name="priority" value={p.name} checked={value("priority") === p.name} required />
              <strong>{p.name}</strong> <span>{p.description}</span>
            </label>
          ))}
        </fieldset>
        <Err k="priority" />
        <fieldset>
          <legend>Notify users now (or later, when more is known)</legend>
          {(["ask", "update"] as const).map((k) => (
            <label class="check">
              <input type="checkbox" name="notify" value={k} checked={notify.includes(k)} /> #{ctx.config.channels[k].replace(/^#/, "")}
            </label>
          ))}
        </fieldset>
        <button class="button primary">Declare</button>
      </PostForm>
    </Layout>
  );
}

/** Not an incident (process step 1): the reason becomes an issue in the team's repository. */
/** `error`: in the chat markup (a refusal may link the issue filed before). */
export function NotIncidentPage(props: { ctx: PageContext; room: string; reason: string; error: string | null }) {
  return (
    <Layout title="Not an incident" ctx={props.ctx}>
      <h1>Not an incident</h1>
      <PostForm action="/console/not-incident" ctx={props.ctx} class="card form">
        <input type="hidden" name="room" value={props.room} />
        <label>
          Why is it not an incident?
          <textarea name="reason" required rows={3} maxlength={3000}>
            {props.reason}
          </textarea>
        </label>
        {props.error ? (
          <p class="field-error">
            <InlineMarkup text={props.error} roomHref={props.ctx.roomHref} />
          </p>
        ) : null}
        <p class="hint">Herald raises a GitHub issue with your reason and posts its link in the room.</p>
        <button class="button primary">Raise the issue</button>
      </PostForm>
    </Layout>
  );
}

export function SignInPage(props: { ctx: PageContext; tokenNeeded: boolean; next: string; error: string | null; name: string }) {
  return (
    <Layout title="Sign in" ctx={props.ctx}>
      <h1>Who are you?</h1>
      <form method="post" action="/console/sign-in" class="card form narrow">
        <input type="hidden" name="_csrf" value={props.ctx.viewer.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <label>
          Your name, as others will name you (<code>lead @ada</code>)
          <input name="name" required maxlength={32} value={props.name} autocomplete="username" placeholder="ada" />
        </label>
        {props.tokenNeeded ? (
          <label>
            Herald's API token (HERALD_API_TOKEN)
            <input name="token" type="password" required autocomplete="current-password" />
          </label>
        ) : null}
        {props.error ? <p class="field-error">{props.error}</p> : null}
        <button class="button primary">Continue</button>
      </form>
    </Layout>
  );
}

export function ProblemPage(props: { ctx: PageContext; title: string; message: string }) {
  return (
    <Layout title={props.title} ctx={props.ctx}>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <p>
        <a href="/console">Back to the incidents</a>
      </p>
    </Layout>
  );
}
