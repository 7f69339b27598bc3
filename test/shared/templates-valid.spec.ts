// Every template, rendered for every incident the fixtures give, is valid for where it goes:
// Slack messages fit Block Kit (as Herald sends them, with buttons), documents are Markdown, and
// nothing reads "undefined".
import heraldYaml from "../../herald.yaml?raw";
import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { messageBlocks } from "../../src/chat/slack/message-blocks.js";
import { toAdaptiveCard } from "../../src/chat/teams/card.js";
import { toSlackMrkdwn } from "../../src/chat/slack/slack-markup.js";
import { loadConfig } from "../../src/config/load-config.js";
import { documentView } from "../../src/documents/document-view.js";
import type { Incident, TimelineEntry } from "../../src/domain/incident.js";
import type { IncidentEvent } from "../../src/domain/incident-event.js";
import { projectIncident } from "../../src/domain/project-incident.js";
import { templates } from "../../src/generated/templates.js";
import { parsePagerDutyWebhook } from "../../src/pagerduty/parse.js";
import { toIncidentEvents } from "../../src/pagerduty/normalize.js";
import { eventView, incidentView } from "../../src/render/incident-view.js";
import { createRenderer } from "../../src/render/renderer.js";
import { deliveries } from "../support/fixtures.js";
import { longIncident } from "../support/long-incident.js";

const config = loadConfig(heraldYaml, { source: "herald.yaml", env: {}, templateNames: Object.keys(templates) });
const renderer = createRenderer(templates, { timeZone: config.timezone });
const volunteer = [
  { actionId: "volunteer_lead", label: "I'll lead", value: "x" },
  { actionId: "volunteer_scribe", label: "I'll scribe", value: "x" },
];

/** Each fixture delivery's events applied on top of the triggered incident: the incidents a team sees. */
function fixtureIncidents(): { name: string; incident: Incident; timeline: TimelineEntry[]; event: IncidentEvent; before: Incident | null }[] {
  const start = toIncidentEvents(parsePagerDutyWebhook(deliveries["zulip_triggered_v3.json"]!));
  const cases = [];
  for (const [name, body] of Object.entries(deliveries)) {
    let events: IncidentEvent[];
    try {
      events = toIncidentEvents(parsePagerDutyWebhook(body));
    } catch {
      continue; // not a delivery (a signature vector, say)
    }
    for (const event of events) {
      let incident: Incident | null = null;
      const timeline: TimelineEntry[] = [];
      for (const step of [...start, event]) {
        const projected = projectIncident(incident, { ...step, pagerdutyIncidentId: "PFIXED" }, "inc-fixture");
        incident = projected.incident;
        timeline.push(projected.entry);
      }
      cases.push({ name, incident: incident!, timeline, event, before: null });
    }
  }
  const long = longIncident();
  cases.push({ name: "a long incident", ...long, event: start[0]!, before: null });
  return cases;
}

function everything(c: ReturnType<typeof fixtureIncidents>[number]): Record<string, unknown> {
  const incident: Incident = {
    ...c.incident,
    roles: { lead: { id: "U0ADA0001", name: "ada" }, scribe: { id: "U0GRACE01", name: "grace" } },
    channel: c.incident.channel ?? { id: "C00000001", name: "inc-9-test-incident-3" },
  };
  const view = incidentView(incident, config);
  return {
    ...view,
    event: eventView(c.event, c.before, incident, config),
    meeting: { at: "2026-12-01T14:00:00.000Z" },
    checkin: { everyMinutes: 30 },
    missing: "Incident Lead and no Scribe",
    minutes: 5,
    appointer: { id: "U0ADA0001", name: "ada" },
    cadence: 30,
    lastAnnouncedAt: "2026-11-27T15:00:00.000Z",
    reason: "planned maintenance overran",
    by: { id: "U0ADA0001", name: "ada" },
    at: "2026-11-27T15:00:00.000Z",
    followUp: { title: "Permanent fix", url: "https://github.com/o/r/issues/1", number: 1 },
    label: "post-mortem",
    kind: "postmortem",
    path: "postmortems/2026-11-27-x.md",
    incidentId: incident.id,
    pullRequest: { url: "https://github.com/o/r/pull/2", number: 2 },
    message: "We are investigating.",
    refused: [
      { person: { id: "U0GONE0001", name: null }, reason: "Slack has no such person (deactivated, or removed from the workspace)" },
      { person: { id: "U0LINUS01", name: "linus" }, reason: "a single-channel guest, already in their one channel" },
    ],
    statusPageConfigured: true,
    published: true,
    postId: "PPOST001",
  };
}

/**
 * Slack's published limits (Block Kit reference, chat.postMessage): written here, not taken from the
 * code that cuts to them, so a wrong constant there cannot pass unseen.
 */
function slackLimitsProblem(text: string, blocks: any[]): string | null {
  if (text.length > 40_000) return `text of ${text.length} characters (chat.postMessage takes 40,000)`;
  if (blocks.length > 50) return `${blocks.length} blocks (at most 50)`;
  for (const block of blocks) {
    if (block.type === "section" && !(typeof block.text?.text === "string" && block.text.text.length >= 1 && block.text.text.length <= 3000)) {
      return "a section's text must be 1 to 3,000 characters";
    }
    if (block.type === "actions") {
      if (block.elements.length > 25) return "at most 25 elements in an actions block";
      for (const button of block.elements) {
        if (button.text.text.length > 75 || button.value.length > 2000 || button.action_id.length > 255) return "a button's text, value or action_id is too long";
      }
    }
  }
  return null;
}

/** What Teams would refuse or not show in a card (Adaptive Cards schema, Teams' 28 KB), or null. */
function teamsCardProblem(card: any): string | null {
  if (card.type !== "AdaptiveCard" || card.version !== "1.4") return "an AdaptiveCard of version 1.4";
  if (new TextEncoder().encode(JSON.stringify(card)).byteLength > 28 * 1024) return "over 28 KB";
  if (!Array.isArray(card.body) || card.body.length === 0) return "a body";
  for (const block of card.body) {
    if (block.type === "TextBlock" && (typeof block.text !== "string" || block.text.length === 0)) return "a TextBlock without text";
    if (block.type === "FactSet" && !block.facts.every((f: any) => typeof f.title === "string" && typeof f.value === "string" && f.value.length > 0)) return "a fact without title or value";
  }
  for (const action of card.actions ?? []) if (action.type !== "Action.Submit" || !action.title || !action.data?.action) return "a button without title or action";
  return null;
}

describe(`every template against every fixture-driven incident (${harness.runtime})`, () => {
  const cases = fixtureIncidents();
  it("has incidents from the fixtures to render", () => {
    expect(cases.length).toBeGreaterThan(15);
  });

  for (const name of renderer.names) {
    it(`${name}: renders valid output for its target`, () => {
      const target = templates[name]!.target;
      for (const c of cases) {
        // The issue texts name people by name; chat messages mention them.
        const data =
          name === "postmortem" || name === "runbook"
            ? documentView(c.incident, c.timeline, config, new Date("2026-11-27T16:00:00Z"))
            : name.endsWith("-issue")
              ? { ...everything(c), by: "ada" }
              : everything(c);
        const text = renderer.render(name, data);
        const where = `${name} for ${c.name}`;
        expect(text.length, where).toBeGreaterThan(0);
        expect(text, where).not.toMatch(/undefined|\[object Object\]|NaN|unknown time/);
        if (target === "chat") {
          // As Herald sends it to Slack with buttons: within Slack's limits, and not cut.
          const slackText = toSlackMrkdwn(text);
          const blocks = JSON.parse(JSON.stringify(messageBlocks(slackText, volunteer)));
          expect(slackLimitsProblem(slackText, blocks), where).toBeNull();
          expect(slackText.length, where).toBeLessThanOrEqual(3000);
          // As a Teams card: Adaptive Cards 1.4 (desktop and mobile), every block with its text, within 28 KB.
          const { card } = toAdaptiveCard(text, volunteer);
          expect(teamsCardProblem(card), where).toBeNull();
        } else if (target === "markdown") {
          // Markdown with its user text escaped: no raw HTML gets through.
          expect(text, where).not.toMatch(/<[a-z!]/i);
        } else if (name === "channel-topic") {
          expect(text.length, where).toBeLessThanOrEqual(250);
        }
      }
    });
  }
});

describe(`Teams cards from hostile text (${harness.runtime})`, () => {
  it("never turn user text into a mention, a link or formatting", () => {
    const [c] = fixtureIncidents();
    const hostile = "<at>Ada Lovelace</at> [click](https://evil.example) **bold** _it_ <!channel> @Ada";
    const incident: Incident = { ...c!.incident, title: hostile, description: hostile, roles: { lead: { id: "29:1ada", name: "<at>Grace</at> **x**" } } };
    for (const name of renderer.names.filter((n) => templates[n]!.target === "chat")) {
      const text = renderer.render(name, { ...everything({ ...c!, incident }), ...incidentView(incident, config) });
      const { card, mentions } = toAdaptiveCard(text);
      const json = JSON.stringify(card);
      expect(json, name).not.toContain("](https://evil.example)");
      expect(json, name).not.toContain("**bold**");
      expect(json, name).not.toContain("<at>Ada Lovelace</at>");
      // The only mentions are people the record names by id, with their entity.
      for (const m of mentions) expect(m.mentioned.id, name).toBe("29:1ada");
    }
  });
});
