import * as z from "../validation/zod.js";
import { RULE_ACTION_NAMES } from "../domain/rule-actions.js";

/** Which incidents a rule applies to; every listed key must match, a list matches any of its values. */
const conditionSchema = z
  .object({
    priority: z.array(z.string()).min(1).optional(),
    service: z.array(z.string()).min(1).optional(),
    urgency: z.array(z.string()).min(1).optional(),
    status: z.array(z.enum(["triggered", "acknowledged", "resolved"])).min(1).optional(),
  })
  .strict();

const postSchema = z
  .object({
    post: z
      .object({
        to: z.string().min(1),
        template: z.string().min(1),
        /** `volunteer`: "I'll lead" and "I'll scribe" buttons under the post. */
        buttons: z.literal("volunteer").optional(),
      })
      .strict(),
  })
  .strict();

const actionSchema = z.union([z.enum(RULE_ACTION_NAMES), postSchema], {
  error: `must be ${RULE_ACTION_NAMES.join(", ")} or post: {to, template}`,
});

const ruleSchema = z
  .object({
    on: z.string().regex(/^(incident|role|note|ticket|postmortem)\.[a-z_.]+$/, "must be an event type such as incident.triggered"),
    if: conditionSchema.optional(),
    do: z.array(actionSchema).min(1),
  })
  .strict();

const serviceSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9_-]+$/, "use lowercase letters, digits, - and _"),
    name: z.string().min(1),
    pagerduty_service_id: z.string().min(1).optional(),
  })
  .strict();

const prioritySchema = z
  .object({
    name: z.string().regex(/^P[0-9]$/, "must look like P1"),
    description: z.string().min(1),
    pagerduty_priority_id: z.string().min(1).optional(),
  })
  .strict();

const roleSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9_-]+$/, "use lowercase letters, digits, - and _"),
    name: z.string().min(1),
  })
  .strict();

const escalationSchema = z
  .object({
    how: z.string().min(1),
    route: z.string().min(1),
    channel: z.string().min(1).optional(),
  })
  .strict();

/** Who may do something: the holders of these roles (by key: lead, scribe, comms…), or `anyone`. */
const whoMay = z.union([z.literal("anyone"), z.array(z.string().regex(/^[a-z0-9_-]+$/, "use role keys such as lead or comms")).min(1)]);

export const configSchema = z
  .object({
    timezone: z.string().min(1).default("Europe/London"),
    channels: z
      .object({
        team: z.string().min(1),
        ask: z.string().min(1),
        update: z.string().min(1),
      })
      .strict(),
    incident_channel: z
      .object({
        pattern: z.string().min(1).default("inc-{number}-{title}"),
      })
      .strict()
      .default({ pattern: "inc-{number}-{title}" }),
    services: z.array(serviceSchema).default([]),
    priorities: z.array(prioritySchema).min(1),
    /** Minutes without an Incident Lead or Scribe before the declarer is asked to appoint one. */
    role_reminder_minutes: z.number().int().min(1).max(1440).default(5),
    /** Priorities whose incidents need a blameless post-mortem: a reminder after the resolve until one is scheduled. */
    postmortem_required_for: z.array(z.string()).default(["P1", "P2"]),
    /** While open, how often (minutes, by priority) the incident channel is reminded that a users' update is due. */
    update_reminder_minutes: z.record(z.string(), z.number().int().min(5).max(1440)).default({ P1: 30, P2: 60 }),
    /** Where a security breach is reported too, shown when one is declared or triaged. */
    security_report: z.string().min(1).nullable().default(null),
    /**
     * Where a security breach is reported (the process: "also report it here"): an https link to the
     * reporting form, or a channel. Shown beside `security_report`.
     */
    security_report_to: z
      .string()
      .regex(/^(https:\/\/[^\s|<>]+|#?[\w.:-]+)$/, "must be an https link or a channel")
      .nullable()
      .default(null),
    /** Who may resolve from chat: the Incident Lead only (the process), or anyone. */
    resolve_by: z.enum(["lead", "anyone"]).default("lead"),
    /** Who may publish to the external status page: holders of these roles (lead, comms…), or anyone. */
    publish_by: whoMay.default(["lead", "comms"]),
    /** Who may post the users' announcement (`announce ask|update`). */
    announce_by: whoMay.default(["lead", "comms"]),
    /** Who may fill the further roles (`role comms @user`). */
    appoint_by: whoMay.default(["lead", "comms"]),
    /**
     * Where `not-incident` may be said (it files an issue in the team's repository): channel keys
     * (team, ask, update) or channel ids.
     */
    not_incident_from: z.array(z.string().min(1)).min(1).default(["team", "ask"]),
    /** Roles besides Incident Lead and Scribe that the lead may fill. */
    roles: z.array(roleSchema).default([]),
    escalation: z.record(z.string(), escalationSchema).default({}),
    status_page: z
      .object({
        id: z.string().min(1).nullable().default(null),
        /** The public page's address, linked when something is published. */
        url: z.url().nullable().default(null),
        /** The status page's severity (by name) for each priority. */
        severity: z.record(z.string(), z.string().min(1)).default({ P1: "major", P2: "minor", P3: "minor" }),
      })
      .strict()
      .default({ id: null, url: null, severity: { P1: "major", P2: "minor", P3: "minor" } }),
    github: z
      .object({
        repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be owner/name").nullable().default(null),
        postmortem_path: z.string().min(1).default("postmortems"),
        runbook_path: z.string().min(1).default("runbooks"),
      })
      .strict()
      .default({ repo: null, postmortem_path: "postmortems", runbook_path: "runbooks" }),
    /** Microsoft Teams: where incident rooms go, and the Workflows webhooks of the outgoing-webhook mode. */
    teams: z
      .object({
        /** A new channel per incident (Graph, `team_id` needed), or a thread in `incidents_channel`. */
        incident_room: z.enum(["channel", "thread"]).default("thread"),
        /** The team's id (its Microsoft 365 group id): for new channels, and to find through Graph a post whose answer was lost. */
        team_id: z.string().min(1).nullable().default(null),
        /** The channel (`19:…@thread.tacv2`) where incident threads go, and rooms when Graph may not make channels. */
        incidents_channel: z.string().min(1).nullable().default(null),
        /** Without a bot: each channel's Workflows webhook URL ("When a Teams webhook request is received"), by channel key or id. */
        workflows: z.record(z.string(), z.url()).default({}),
      })
      .strict()
      .default({ incident_room: "thread", team_id: null, incidents_channel: null, workflows: {} }),
    rules: z.array(ruleSchema).default([]),
    /**
     * Days a processed delivery's raw body, and a finished action's payload, are kept (the audit
     * window). After that the bodies go; the records, timelines and outcomes stay.
     */
    retention_days: z.number().int().min(1).max(3650).default(30),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RuleAction = z.infer<typeof actionSchema>;
export type RuleCondition = z.infer<typeof conditionSchema>;
