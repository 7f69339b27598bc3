import { withoutBidiControls } from "./bidi.js";
import type { TimelineCategory } from "./incident.js";
import { TIMELINE_CATEGORIES } from "./incident.js";

/**
 * Someone named in a command: the person typing it, or a chat user as the platform's mention gives
 * one. A plain typed `@name` is not accepted: it matches no chat account, so whoever it names could
 * never act in the role (resolve as lead, say).
 */
export type UserRef = { kind: "me" } | { kind: "user"; id: string; name: string | null };

/** One command of Herald's chat grammar (the same on every chat platform). */
export type ChatCommand =
  | { name: "help" }
  | { name: "declare"; quick: null }
  | { name: "declare"; quick: DeclareDetails }
  | { name: "triage" }
  | { name: "not-incident"; reason: string }
  /** `takeOver`: the person confirms taking a role someone else holds (the channel is told). */
  | { name: "assign"; role: string; who: UserRef; takeOver: boolean }
  | { name: "checkin"; everyMinutes: number | null }
  | { name: "note"; category: TimelineCategory; text: string }
  | { name: "ticket"; thirdParty: string; caseId: string; url: string | null }
  /** `ticket <third party>` without a case: how to log one there, and where to escalate. */
  | { name: "ticket-help"; thirdParty: string }
  | { name: "status"; action: "draft"; text: string | null }
  /** `draft`: the draft a Publish button was under (its `preparedAt`); a typed command publishes the pending one. */
  | { name: "status"; action: "publish"; draft?: string }
  | { name: "announce"; to: "ask" | "update" }
  | { name: "resolve"; temporary: boolean; note: string }
  | { name: "postmortem-schedule"; when: string }
  | { name: "postmortem" }
  | { name: "runbook" };

/** Where the declarer may ask for the users' announcement to go at once (process step 2). */
export type NotifyTarget = "ask" | "update";

/** An incident as declared: from the quick form of the command, or from the declare form. */
export interface DeclareDetails {
  priority: string;
  service: string;
  title: string;
  description?: string | null;
  notify?: NotifyTarget[];
}

/** What the grammar checks names against, from the configuration. */
export interface GrammarContext {
  priorities: readonly string[];
  /** Service keys (e.g. networking). */
  services: readonly string[];
  /** Roles besides lead and scribe that may be filled (e.g. comms). */
  roles: readonly string[];
  /** Third parties with an escalation route (e.g. aws). */
  thirdParties: readonly string[];
}

export type ParsedCommand = { ok: true; command: ChatCommand } | { ok: false; error: string };

/** Usage lines, one per command, with the words a user types. */
export const GRAMMAR: readonly { usage: string; what: string; example: string }[] = [
  { usage: "declare", what: "open the declare form", example: "declare" },
  { usage: "declare <priority> <service> <title>", what: "declare without the form", example: "declare P2 networking VPC peering is down" },
  { usage: "triage", what: "check whether this is an incident", example: "triage" },
  { usage: "not-incident <reason>", what: "record it and raise a GitHub issue instead", example: "not-incident planned maintenance overran" },
  { usage: "lead @user | lead me [--take-over]", what: "hand on or volunteer as Incident Lead (--take-over confirms taking it from its holder)", example: "lead me" },
  { usage: "scribe @user | scribe me [--take-over]", what: "hand on or volunteer as Scribe", example: "scribe @ada" },
  { usage: "role <role> @user|me [--take-over]", what: "fill a further role", example: "role comms @grace" },
  { usage: "checkin every <minutes> | checkin off", what: "regular team check-in reminders", example: "checkin every 30" },
  { usage: "note [event|discussion|decision|action|result]: <text>", what: "add to the scribe's log", example: "note decision: roll back the route table change" },
  { usage: "ticket <third party> <case-id> [url]", what: "record a support case and its escalation route (without a case id: how to log one)", example: "ticket aws 1234567890" },
  { usage: "status draft [text] | status publish", what: "prepare (or write) the status-page update, or publish it", example: "status draft" },
  { usage: "announce ask|update", what: "post the announcement now", example: "announce update" },
  { usage: "resolve [--temporary] <resolution note>", what: "resolve the incident", example: "resolve --temporary restarted the NAT gateway" },
  { usage: "postmortem schedule <when>", what: "schedule the blameless post-mortem", example: "postmortem schedule 2026-12-01 14:00" },
  { usage: "postmortem | runbook", what: "generate and publish the document", example: "postmortem" },
  { usage: "help", what: "this list", example: "help" },
];

/** The help text: every command with what it does. `prefix` is how the platform invokes Herald. */
export function helpText(prefix: string): string {
  return GRAMMAR.map((line) => `\`${prefix} ${line.usage}\` — ${line.what}`).join("\n");
}

// (Module-level rather than closures: the parser runs on every command Slack sends.)
function found(command: ChatCommand): ParsedCommand {
  return { ok: true, command };
}

/**
 * A word the person typed, as an error repeats it: the answers are in the chat markup, where `&`, `<`
 * and `>` are written as entities, so an echoed word can never ping (`<!channel>`) or link.
 */
function echo(word: string): string {
  return withoutBidiControls(word).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A mistake: what is wrong, then the usage of the command (`usageOf`) with an example. */
function mistake(verb: string, problem: string, usageOf = verb): ParsedCommand {
  const lines = GRAMMAR.filter((g) => g.usage.split(" ")[0] === usageOf);
  const usage = lines.length
    ? lines.map((g) => (g.example === g.usage ? `Usage: \`${g.usage}\` (${g.what})` : `Usage: \`${g.usage}\`, for example \`${g.example}\``)).join("\n")
    : "Try `help` for the list of commands.";
  return { ok: false, error: `${problem}\n${usage}` };
}

/**
 * Parses the words after `/incident` (or `@Herald incident`). A malformed command gives an error that
 * says what is wrong, with the command's usage and an example.
 */
export function parseChatCommand(text: string, context: GrammarContext): ParsedCommand {
  const trimmed = text.trim();
  const [word = "", ...rest] = trimmed.split(/\s+/);
  const args = trimmed.slice(word.length).trim();
  const verb = word.toLowerCase();

  switch (verb) {
    case "":
    case "help":
      return found({ name: "help" });
    case "declare": {
      if (!args) return found({ name: "declare", quick: null });
      const [priority = "", service = "", ...title] = rest;
      const knownPriority = context.priorities.find((p) => p.toLowerCase() === priority.toLowerCase());
      if (!knownPriority) return mistake(verb, `'${echo(priority)}' is not a priority (${context.priorities.join(", ")}).`);
      const knownService = context.services.find((s) => s.toLowerCase() === service.toLowerCase());
      if (!knownService) return mistake(verb, `'${echo(service || "(none)")}' is not a service (${context.services.join(", ")}).`);
      if (title.length === 0) return mistake(verb, "The incident needs a title.");
      return found({ name: "declare", quick: { priority: knownPriority, service: knownService, title: title.join(" ") } });
    }
    case "triage":
      return args ? mistake(verb, "`triage` takes no arguments.") : found({ name: "triage" });
    case "not-incident":
      return args ? found({ name: "not-incident", reason: args }) : mistake(verb, "Say why this is not an incident.");
    case "lead":
    case "scribe": {
      const [person = "", ...extra] = rest;
      return assignment(verb, verb, person, extra, `Name one person, or say \`${verb} me\`.`);
    }
    case "role": {
      const [role = "", person = "", ...extra] = rest;
      const known = context.roles.find((r) => r.toLowerCase() === role.toLowerCase());
      if (!known) {
        return mistake(verb, `'${echo(role || "(none)")}' is not a role (${context.roles.length ? context.roles.join(", ") : "none are configured"}; lead and scribe have their own commands).`);
      }
      return assignment(verb, known, person, extra, "Name one person.");
    }
    case "checkin": {
      if (args.toLowerCase() === "off") return found({ name: "checkin", everyMinutes: null });
      const match = /^every\s+(\d+)(?:\s*(?:m|min|mins|minutes))?$/i.exec(args);
      const minutes = match ? Number(match[1]) : NaN;
      if (!(minutes >= 5 && minutes <= 1440)) return mistake(verb, "Give the cadence in minutes, from 5 to 1440, or `off`.");
      return found({ name: "checkin", everyMinutes: minutes });
    }
    case "note":
    case "note:": {
      const body = (verb === "note:" ? args : args.replace(/^:\s*/, "")).trim();
      const labelled = /^([a-z]+)\s*:(?!\/\/)\s*([\s\S]*)$/i.exec(body);
      let category: TimelineCategory = "event";
      let note = body;
      if (labelled) {
        const label = labelled[1]!.toLowerCase() as TimelineCategory;
        if (!TIMELINE_CATEGORIES.includes(label)) {
          return mistake(verb, `'${echo(labelled[1]!)}' is not a category (${TIMELINE_CATEGORIES.join(", ")}).`, "note");
        }
        category = label;
        note = labelled[2]!.trim();
      }
      return note ? found({ name: "note", category, text: note }) : mistake(verb, "The note is empty.", "note");
    }
    case "ticket": {
      const [party = "", caseId = "", url, ...extra] = rest;
      const known = context.thirdParties.find((t) => t.toLowerCase() === party.toLowerCase());
      if (!known) return mistake(verb, `'${echo(party || "(none)")}' has no escalation route (${context.thirdParties.join(", ") || "none configured"}).`);
      if (!caseId) return found({ name: "ticket-help", thirdParty: known });
      // Only a plain http(s) link: a `|` or `<>` would let the text choose the link's label in chat.
      if (url !== undefined && !/^https?:\/\/[^\s|<>]+$/.test(url)) return mistake(verb, `'${echo(url)}' is not a link. Give a plain http(s) link, without | < or >.`);
      if (extra.length) return mistake(verb, "Too many words.");
      return found({ name: "ticket", thirdParty: known, caseId, url: url ?? null });
    }
    case "status": {
      const [sub = "", ...text] = rest;
      if (sub.toLowerCase() === "publish" && text.length === 0) return found({ name: "status", action: "publish" });
      if (sub.toLowerCase() === "draft") return found({ name: "status", action: "draft", text: text.length ? args.slice(sub.length).trim() : null });
      return mistake(verb, "Say `status draft` (or `status draft <text>` to write it yourself) or `status publish`.");
    }
    case "announce":
      return args === "ask" || args === "update" ? found({ name: "announce", to: args }) : mistake(verb, "Say where: `announce ask` or `announce update`.");
    case "resolve": {
      const temporary = /^--temporary\b/.test(args);
      const note = (temporary ? args.slice("--temporary".length) : args).trim();
      if (/^--/.test(note)) return mistake(verb, `Unknown option ${note.split(/\s/)[0]}.`);
      return note ? found({ name: "resolve", temporary, note }) : mistake(verb, "Add a note on how it was resolved.");
    }
    case "postmortem": {
      if (!args) return found({ name: "postmortem" });
      const [sub, ...when] = rest;
      if (sub?.toLowerCase() === "schedule" && when.length) return found({ name: "postmortem-schedule", when: when.join(" ") });
      return mistake(verb, sub?.toLowerCase() === "schedule" ? "Say when." : `Unknown: postmortem ${sub}.`);
    }
    case "runbook":
      return args ? mistake(verb, "`runbook` takes no arguments.") : found({ name: "runbook" });
    default:
      // Its reply says where every command is (see `mistakeReply`).
      return { ok: false, error: `Unknown command '${echo(word)}'.` };
  }
}

/** `lead|scribe|role … <who> [--take-over]`: one person (a mention or `me`), and whether a holder's role is taken over. */
function assignment(verb: string, role: string, person: string, extra: string[], oneProblem: string): ParsedCommand {
  const takeOver = extra.length === 1 && extra[0]!.toLowerCase() === "--take-over";
  if (extra.length > (takeOver ? 1 : 0)) return mistake(verb, oneProblem);
  if (/^@[^\s<>]+$/.test(person)) {
    return mistake(
      verb,
      `'${echo(person)}' is a typed name, not a mention: pick the person from the list that opens as you type @, so Herald knows who they are (a typed name could never act in the role).`,
    );
  }
  const who = parseUser(person);
  return who ? found({ name: "assign", role, who, takeOver }) : mistake(verb, oneProblem);
}

/** `me`, or a person as the chat markup writes one (`<@id|name>`, `<@id>`: what platforms send for a mention, Slack's with escaped users among them). */
export function parseUser(text: string): UserRef | null {
  const value = text.trim();
  if (value.toLowerCase() === "me") return { kind: "me" };
  const mention = /^<@([^\s|<>]+)(?:\|([^>]+))?>$/.exec(value);
  return mention ? { kind: "user", id: mention[1]!, name: mention[2] ?? null } : null;
}
