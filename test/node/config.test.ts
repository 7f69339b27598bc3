import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { ConfigError } from "../../src/errors.js";

const shipped = readFileSync("herald.yaml", "utf8");
const options = { source: "herald.yaml", env: {}, templateNames: ["incident-summary", "user-announcement", "resolution-announcement", "role-change", "ticket-escalation", "pagerduty-note", "volunteers-wanted"] };

function errorOf(text: string, env: Record<string, string> = {}): string {
  try {
    loadConfig(text, { ...options, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("loads the shipped herald.yaml, which follows the incident process", () => {
    const config = loadConfig(shipped, options);
    expect(config.timezone).toBe("Europe/London");
    expect(config.channels).toEqual({
      team: "modernisation-platform",
      ask: "ask-modernisation-platform",
      update: "modernisation-platform-update",
    });
    expect(config.services.map((s) => s.name)).toEqual([
      "Networking - Modernisation Platform",
      "Operations - Modernisation Platform",
      "Security - Modernisation Platform",
    ]);
    expect(config.priorities.map((p) => p.name)).toEqual(["P1", "P2", "P3"]);
    expect(config.escalation.aws).toEqual({
      how: "Create a support case in the affected AWS account",
      route: "Update the case; if it stalls, post the case id in the escalation channel",
      channel: "ext-awssupport",
    });
    expect(config.roles).toEqual([{ key: "comms", name: "Communications Lead" }]);
    expect(config.rules.map((r) => r.on)).toEqual([
      "incident.triggered",
      "incident.triggered",
      "incident.resolved",
      "incident.resolved",
      "incident.escalated",
      "incident.reassigned",
      "incident.delegated",
      "incident.responder.replied",
      "incident.priority_updated",
      "incident.triggered",
      "incident.resolved",
      "postmortem.scheduled",
      "incident.triggered",
      "incident.resolved",
      "role.assigned",
      "ticket.recorded",
      "note.added",
      "incident.annotated",
    ]);
  });

  it("names the key when a value is wrong", () => {
    expect(errorOf(shipped.replace("timezone: Europe/London", "timezone: Mars/Olympus"))).toBe(
      "herald.yaml: timezone: 'Mars/Olympus' is not an IANA time zone such as Europe/London",
    );
    expect(errorOf(shipped.replace("template: user-announcement", "template: user-anouncement"))).toBe(
      "herald.yaml: rules[0].do[5].post.template: unknown template 'user-anouncement' (templates: incident-summary, user-announcement, resolution-announcement, role-change, ticket-escalation, pagerduty-note, volunteers-wanted)",
    );
    expect(errorOf(shipped.replace("if: { priority: [P1, P2] }", "if: { priority: [P1, P7] }"))).toBe(
      "herald.yaml: rules[0].if.priority[1]: unknown priority 'P7' (known: P1, P2, P3, none)",
    );
    expect(errorOf(shipped.replace("if: { priority: [P1, P2] }", "if: { severity: [P1] }"))).toBe(
      "herald.yaml: rules[0].if: unknown key 'severity'",
    );
    expect(errorOf(shipped.replace("  update: modernisation-platform-update\n", ""))).toBe(
      "herald.yaml: channels.update: is required",
    );
    expect(errorOf(shipped.replace("  update: modernisation-platform-update\n", "  update: 12\n"))).toBe(
      "herald.yaml: channels.update: must be a string",
    );
    expect(errorOf(shipped.replace("      - create_channel\n", "      - open_channel\n"))).toBe(
      "herald.yaml: rules[0].do[0]: must be create_channel, invite_declarer, invite_role_holder, invite_assignees, invite_responder, set_topic, open_in_pagerduty, add_pagerduty_note, resolve_in_pagerduty, raise_follow_up, status_draft, postmortem_invite or post: {to, template}",
    );
    expect(errorOf(shipped.replace("to: update", "to: general"))).toMatch(
      /^herald\.yaml: rules\[0\]\.do\[5\]\.post\.to: 'general' is neither one of incident, team, ask, update nor a chat channel id/,
    );
    expect(errorOf("channels: [")).toMatch(/^herald\.yaml: not valid YAML/);
  });

  it("fills ${NAME} references from the environment and says which one is missing", () => {
    const text = shipped.replace("update: modernisation-platform-update", "update: ${UPDATE_CHANNEL}");
    expect(loadConfig(text, { ...options, env: { UPDATE_CHANNEL: "C0UPDATE01" } }).channels.update).toBe("C0UPDATE01");
    expect(errorOf(text)).toBe("herald.yaml: channels.update: refers to ${UPDATE_CHANNEL}, which is not set in the environment");
  });
});
