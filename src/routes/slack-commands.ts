import type { Handler } from "hono";
import { parseSlashCommand } from "../chat/slack/parse.js";
import { grammarContext, roleNames } from "../config/grammar-context.js";
import type { Config } from "../config/schema.js";
import { helpText, parseChatCommand, type ChatCommand } from "../domain/chat-command.js";
import { isRecordCommand } from "../domain/command-events.js";
import type { Background } from "../ports/background.js";
import type { Clock } from "../ports/clock.js";
import type { HmacSha256 } from "../crypto/hmac.js";
import type { Store } from "../ports/store.js";
import { escapeMrkdwn } from "../render/escape.js";
import { acceptDelivery } from "./accept-delivery.js";
import { readSlackRequest } from "./read-slack-request.js";

export interface SlackCommandDeps {
  store: Store;
  clock: Clock;
  background: Background;
  config: Config;
  signingSecret: string | null;
  hmac?: HmacSha256;
}

const LIMIT_BYTES = 64 * 1024;
const PREFIX = "/incident";

// Commands that act on the incident of the channel they are typed in.
const NO_INCIDENT_NEEDED = new Set<ChatCommand["name"]>(["help", "declare", "triage", "not-incident"]);

/**
 * POST /slack/commands: `/incident …`. Answers within Slack's 3 seconds, always: help and mistakes
 * at once (only the sender sees them), record changes stored and done in the background.
 */
export function slackCommandHandler(deps: SlackCommandDeps): Handler {
  return async (c) => {
    const text = await readSlackRequest(c, {
      signingSecret: deps.signingSecret,
      clock: deps.clock,
      hmac: deps.hmac,
      mediaType: "application/x-www-form-urlencoded",
      limitBytes: LIMIT_BYTES,
    });
    const request = parseSlashCommand(text);
    if (request.kind === "ssl_check") return c.body(null, 200);
    const { command } = request;
    const reply = (message: string) => c.json({ response_type: "ephemeral", text: message });

    const parsed = parseChatCommand(command.text, grammarContext(deps.config));
    if (!parsed.ok) return reply(`${parsed.error}\nSee \`${PREFIX} help\` for every command.`);
    const chat = parsed.command;
    if (chat.name === "help") return reply(`*Herald's commands*\n${helpText(PREFIX)}`);
    if (chat.name === "triage") return reply(triageText(deps.config));

    const incident = await deps.store.findIncidentByChannel(command.channel_id);
    if (!incident && !NO_INCIDENT_NEEDED.has(chat.name)) {
      const open = (await deps.store.listIncidents()).filter((i) => i.channel && i.status !== "resolved");
      const where = open.length
        ? `Incident channels now: ${open.map((i) => `<#${i.channel!.id}>`).join(", ")}.`
        : "No incident is open.";
      return reply(`\`${PREFIX} ${command.text.split(/\s+/)[0]}\` works in an incident's channel. ${where}`);
    }
    if (!isRecordCommand(chat)) {
      return reply(`\`${PREFIX} ${chat.name}\` is not available in this version of Herald yet.`);
    }
    if (chat.name === "declare" && incident) {
      return reply(
        `This channel is the incident's already: ${escapeMrkdwn(incident.title)}${incident.pagerdutyId ? " (from PagerDuty)" : ""}. Declare a new one from the team channel.`,
      );
    }
    if (chat.name === "resolve" && incident) {
      if (incident.status === "resolved") return reply("This incident is resolved already.");
      const lead = incident.roles.lead;
      if (deps.config.resolve_by === "lead" && lead?.id !== command.user_id) {
        return reply(
          lead
            ? `Only the Incident Lead (<@${lead.id}>) can resolve this incident.`
            : `Only the Incident Lead can resolve this incident, and nobody is lead yet: \`${PREFIX} lead me\` first.`,
        );
      }
    }

    await acceptDelivery(deps, { id: `slack:${command.trigger_id ?? (await digest(text))}`, source: "slack", body: text });
    return reply(acknowledgement(chat, roleNames(deps.config), deps.config.security_report));
  };
}

/** Process step 1: is this an incident? The four criteria, and what to do either way. */
function triageText(config: Config): string {
  return [
    "*Is this an incident?* It is if the event is *unplanned*, and it:",
    "• impacts end users or our direct users (developers and engineers), or",
    "• degrades user-facing services, or",
    "• increases risk to production services.",
    `If it is: \`${PREFIX} declare <priority> <service> <title>\` (priorities: ${config.priorities.map((p) => `${p.name} — ${escapeMrkdwn(p.description)}`).join("; ")}).`,
    `If it is not: \`${PREFIX} not-incident <reason>\` raises an issue instead.`,
    ...(config.security_report ? [`:lock: If this is a security breach: ${escapeMrkdwn(config.security_report)}`] : []),
  ].join("\n");
}

function acknowledgement(command: ChatCommand, names: Record<string, string>, security: string | null): string {
  switch (command.name) {
    case "assign": {
      const who = command.who;
      const person = who.kind === "me" ? "You are" : who.kind === "user" ? `<@${who.id}> is` : `${escapeMrkdwn(who.name)} is`;
      return `${person} now the ${names[command.role] ?? command.role}; Herald will say so in the channel.`;
    }
    case "note":
      return `Added to the incident log as ${command.category === "event" ? "an event" : `a ${command.category}`}.`;
    case "declare":
      return command.quick
        ? `Declaring *${escapeMrkdwn(command.quick.title)}* (${command.quick.priority}, ${command.quick.service}): Herald is opening its channel.${
            command.quick.service === "security" && security ? `\n:lock: ${escapeMrkdwn(security)}` : ""
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
    case "ticket":
      return `Support case ${escapeMrkdwn(command.caseId)} recorded; Herald will post how to escalate it.`;
    default:
      return "Done.";
  }
}

async function digest(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}
