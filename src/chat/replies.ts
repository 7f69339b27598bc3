import { roleNames } from "../config/grammar-context.js";
import type { Config } from "../config/schema.js";
import { helpText, type ChatCommand } from "../domain/chat-command.js";
import type { Incident } from "../domain/incident.js";
import { escapeChat } from "../render/escape.js";
import { parseMeetingTime } from "../time/meeting-time.js";
import { formatDestination, formatTime } from "../render/helpers.js";

// Herald's answers to chat requests, in the chat markup every platform renders (see render/escape.ts).

/** How many incident channels a refusal points to. */
const CHANNELS_LISTED = 10;

// Commands that act on the incident of the channel they are typed in, except these.
const NO_INCIDENT_NEEDED = new Set<ChatCommand["name"]>(["help", "declare", "triage", "not-incident"]);

/** What to do about a security breach, and where (the process: "also report it here"). */
export function securityReport(config: Config): string {
  return `${escapeChat(config.security_report ?? "")} Report it here: ${formatDestination(config.security_report_to, "security_report_to")}`;
}

/** The help reply: every command, as the user invokes Herald (`/incident`, `@Herald`). */
export function helpReply(prefix: string): string {
  return `*Herald's commands*\n${helpText(prefix)}`;
}

/** A malformed command: what is wrong, the usage, and where to find the rest. */
export function mistakeReply(error: string, prefix: string): string {
  return `${error}\nSee \`${prefix} help\` for every command.`;
}

/** Process step 1: is this an incident? The four criteria, and what to do either way. */
export function triageText(config: Config, prefix: string): string {
  return [
    "*Is this an incident?* It is if the event is *unplanned*, and it:",
    "• impacts end users or our direct users (developers and engineers), or",
    "• degrades user-facing services, or",
    "• increases risk to production services.",
    `If it is: \`${prefix} declare\` (or \`${prefix} declare <priority> <service> <title>\`; priorities: ${config.priorities
      .map((p) => `${p.name} — ${escapeChat(p.description)}`)
      .join("; ")}).`,
    `If it is not: \`${prefix} not-incident <reason>\` raises an issue instead.`,
    ...(config.security_report ? [`:lock: If this is a security breach: ${securityReport(config)}`] : []),
  ].join("\n");
}

/** `ticket <third party>` without a case: how to log one, how to escalate it and where. */
export function ticketHelp(thirdParty: string, config: Config): string {
  const route = config.escalation[thirdParty];
  const name = escapeChat(thirdParty.toUpperCase());
  if (!route) return `No escalation route is configured for ${name}.`;
  return [
    `:ticket: *Logging a support case with ${name}:* ${escapeChat(route.how)}`,
    `*How to escalate:* ${escapeChat(route.route)}`,
    ...(route.channel ? [`*Escalation channel:* <#${route.channel.replace(/^#/, "")}>`] : []),
    `Then record it here: \`ticket ${escapeChat(thirdParty)} <case-id> [url]\`.`,
  ].join("\n");
}

export interface CommandSituation {
  command: ChatCommand;
  /** The word the user typed for the command, for messages. */
  word: string;
  /** The incident of the channel the command came from, if any. */
  incident: Incident | null;
  userId: string;
  /** The channel (room) id it was said in. */
  channel: string;
  config: Config;
  prefix: string;
  now: Date;
  /** The oldest `limit` open incidents, looked up only when the answer needs them. */
  openIncidents: (limit: number) => Promise<Incident[]>;
}

/**
 * Why Herald will not take this command here, in words for the user; null when it will. The same
 * answer for a slash command and a mention.
 */
export async function refusal(s: CommandSituation): Promise<string | null> {
  const { command, incident, prefix } = s;
  if (!incident && !NO_INCIDENT_NEEDED.has(command.name)) {
    // A few are enough to point the way; on the worst day thousands may be open.
    const open = (await s.openIncidents(CHANNELS_LISTED + 1)).filter((i) => i.channel);
    const listed = open.slice(0, CHANNELS_LISTED).map((i) => `<#${i.channel!.id}>`);
    const where = open.length
      ? `Incident channels now: ${listed.join(", ")}${open.length > CHANNELS_LISTED ? " and more" : ""}.`
      : "No incident is open.";
    return `\`${prefix} ${s.word}\` works in an incident's channel. ${where}`;
  }
  if (command.name === "declare" && incident) {
    return `This channel is the incident's already: ${escapeChat(incident.title)}${incident.pagerdutyId ? " (from PagerDuty)" : ""}. Declare a new one from the team channel.`;
  }
  if (command.name === "postmortem-schedule") {
    const when = parseMeetingTime(command.when, s.now, s.config.timezone);
    if (!when.ok) return when.error;
    // Said again (its answer lost, say): the invite out already stands.
    if (incident?.postmortemMeeting?.at === when.at) return `The post-mortem meeting is on ${formatTime(when.at, s.config.timezone)} already; its invite is in the channel.`;
  }
  if (command.name === "resolve" && incident) {
    if (incident.status === "resolved") return "This incident is resolved already.";
    const lead = incident.roles.lead;
    if (s.config.resolve_by === "lead" && lead?.id !== s.userId) {
      return lead
        ? `Only the Incident Lead (<@${lead.id}>) can resolve this incident.`
        : `Only the Incident Lead can resolve this incident, and nobody is lead yet: \`${prefix} lead me\` first.`;
    }
  }
  if (command.name === "assign" && incident) return assignRefusal(command, incident, s);
  // Said again (its answer lost, say): the case and its escalation route are in the channel already.
  if (command.name === "ticket" && incident?.supportCases?.some((c) => c.thirdParty === command.thirdParty && c.caseId === command.caseId)) {
    return `Support case ${escapeChat(command.caseId)} is recorded already; how to escalate it is in the channel.`;
  }
  if (incident && command.name === "status" && command.action === "publish") {
    return notAllowed(s.config.publish_by, incident, s, "publish to the external status page");
  }
  if (incident && command.name === "announce") return notAllowed(s.config.announce_by, incident, s, "post the users' announcement");
  if (command.name === "not-incident" && !s.config.not_incident_from.some((from) => sameChannel(s.channel, s.config.channels[from as keyof Config["channels"]] ?? from))) {
    const where = s.config.not_incident_from.map((from) => `<#${s.config.channels[from as keyof Config["channels"]] ?? from}>`).join(", ");
    return `\`${prefix} not-incident\` files an issue in the team's repository, so it is said in the team's channels: ${where}.`;
  }
  return null;
}

/**
 * Taking a role: anyone may take one nobody holds. Once held it is a transfer: the holder hands it
 * on, or the taker confirms with `--take-over` (and the channel is told who took over from whom);
 * the Incident Lead may also hand on the Scribe. Further roles are filled by whoever `appoint_by` names.
 */
function assignRefusal(command: Extract<ChatCommand, { name: "assign" }>, incident: Incident, s: CommandSituation): string | null {
  const names = roleNames(s.config);
  const roleName = names[command.role] ?? command.role;
  const builtIn = command.role === "lead" || command.role === "scribe";
  if (!builtIn) {
    const refused = notAllowed(s.config.appoint_by, incident, s, `fill the ${roleName} role`);
    if (refused) return refused;
  }
  const holder = incident.roles[command.role];
  const target = command.who.kind === "me" ? s.userId : command.who.id;
  // Said twice (a second click, a command sent again): nothing changes, so nothing is said in the channel.
  if (holder?.id === target) return target === s.userId ? `You are the ${roleName} already.` : `<@${target}> is the ${roleName} already.`;
  if (!holder || holder.id === s.userId) return null;
  if (command.role === "scribe" && incident.roles.lead?.id === s.userId) return null;
  if (!builtIn) return null;
  const verb = command.role === "lead" ? "lead" : "scribe";
  return target === s.userId && command.takeOver
    ? null
    : `<@${holder.id}> is the ${roleName}. They can hand it on (\`${s.prefix} ${verb} @you\`), or take it over yourself with \`${s.prefix} ${verb} me --take-over\` (the channel is told).`;
}

/** Null when the person holds one of the roles allowed to do this (or anyone may); else why not. */
function notAllowed(allowed: Config["publish_by"], incident: Incident, s: CommandSituation, what: string): string | null {
  if (allowed === "anyone") return null;
  if (allowed.some((role) => incident.roles[role]?.id === s.userId)) return null;
  const names = roleNames(s.config);
  const holders = allowed.map((role) => (incident.roles[role] ? `${names[role] ?? role} (<@${incident.roles[role]!.id}>)` : `${names[role] ?? role}`));
  const nobody = allowed.every((role) => !incident.roles[role]);
  return `Only the ${holders.join(" or the ")} can ${what}${nobody ? `, and nobody holds ${allowed.length > 1 ? "those roles" : "that role"} yet: \`${s.prefix} lead me\` first` : ""}.`;
}

/** Whether a channel id is the configured reference (an id, `platform:name`, or a bare or #name). */
export function sameChannel(channelId: string, reference: string): boolean {
  const bare = (value: string) => value.replace(/^[a-z][a-z0-9-]*:/, "").replace(/^#/, "");
  return channelId === reference || bare(channelId) === bare(reference);
}


/** What the user is told at once when a command is taken; the rest follows in the channel. */
export function acknowledgement(command: ChatCommand, config: Config, now: Date, incident: Incident | null): string {
  const names = roleNames(config);
  switch (command.name) {
    case "assign": {
      const who = command.who;
      const person = who.kind === "me" ? "You are" : `<@${who.id}> is`;
      return `${person} now the ${names[command.role] ?? command.role}; Herald will say so in the channel.`;
    }
    case "note":
      return `Added to the incident log as ${/^[aeiou]/.test(command.category) ? "an" : "a"} ${command.category}.`;
    case "declare":
      return command.quick
        ? `Declaring *${escapeChat(command.quick.title)}* (${command.quick.priority}, ${command.quick.service}): Herald is opening its channel.${
            command.quick.service === "security" && config.security_report ? `\n:lock: ${securityReport(config)}` : ""
          }`
        : "Done.";
    case "checkin":
      return command.everyMinutes
        ? `Team check-ins every ${command.everyMinutes} minutes; Herald will remind the channel until the incident is resolved.`
        : "Team check-ins stopped.";
    case "not-incident":
      return "Recorded as not an incident; Herald is raising an issue with your reason and will post its link here.";
    case "resolve":
      return `Resolving${command.temporary ? " with a temporary fix" : ""}; Herald will post the resolution.`;
    case "status":
      return command.action === "publish"
        ? "Herald is publishing the pending status-page update and will say so in the channel."
        : "Herald is preparing the status-page update and will post it in the channel for review.";
    case "postmortem-schedule": {
      const when = parseMeetingTime(command.when, now, config.timezone);
      return when.ok ? `Post-mortem meeting on ${formatTime(when.at, config.timezone)}; Herald will post the invite in the channel.` : "Done.";
    }
    case "announce":
      // Out there already (said again after a lost answer, say): brought up to date, not posted twice.
      if (incident?.announcements?.some((a) => a.to === command.to)) {
        return `The users' announcement is in the ${command.to} channel already: Herald is bringing it up to date there rather than posting it twice (if it was deleted, it posts it again).`;
      }
      return `Herald is posting the users' announcement in the ${command.to} channel; it will be kept up to date as the incident changes.`;
    case "postmortem":
      return "Herald is drafting the post-mortem from the incident record and will post the pull request's link here.";
    case "runbook":
      return "Herald is drafting a runbook from this incident and will post the pull request's link here.";
    case "ticket":
      return `Support case ${escapeChat(command.caseId)} recorded; Herald will post how to escalate it.`;
    default:
      return "Done.";
  }
}
