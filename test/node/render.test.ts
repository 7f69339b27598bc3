import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { templates } from "../../src/generated/templates.js";
import { escapeMarkdown, escapeChat } from "../../src/render/escape.js";
import { toSlackMrkdwn } from "../../src/chat/slack/slack-markup.js";
import { formatChannel, formatElapsed, formatTime } from "../../src/render/helpers.js";
import { createRenderer } from "../../src/render/renderer.js";

const renderer = createRenderer(templates, { timeZone: "Europe/London" });

const view = {
  incident: {
    title: "<!channel> <https://evil.example|click here> & co",
    priority: "P1",
    priorityDescription: "The whole platform is down or unavailable, all user applications are unavailable",
    service: "Networking <b>",
    status: "triggered",
    assignees: "Ada & Grace",
    url: "https://example.pagerduty.com/incidents/Q1?a=1&b=2",
    number: 7,
    pagerdutyNumber: 7,
    triggeredAt: "2026-11-27T09:00:00.000Z",
    resolvedAt: "2026-11-27T10:35:00.000Z",
  },
  channels: { team: "C0TEAM0001", ask: "ask-team", update: "C0UPDATE01" },
};

describe("templates", () => {
  it("are all precompiled, one per file in templates/", () => {
    const files = readdirSync("templates").filter((f) => f.endsWith(".hbs")).map((f) => f.split(".")[0]);
    expect([...renderer.names].sort()).toEqual(files.sort());
    expect(renderer.names).toContain("incident-summary");
  });

  it("escape user text for Slack mrkdwn so it pings nobody and links nowhere", () => {
    for (const name of ["incident-summary", "resolution-announcement", "user-announcement"]) {
      const text = renderer.render(name, view);
      expect(text, name).toContain("&lt;!channel&gt; &lt;https://evil.example|click here&gt; &amp; co");
      expect(text, name).not.toContain("<!channel>");
      expect(text, name).not.toMatch(/&#x27;|&quot;/);
    }
    expect(renderer.render("incident-summary", view)).toContain("*Assigned in PagerDuty:* Ada &amp; Grace");
    expect(renderer.render("incident-summary", view)).toContain(
      "*PagerDuty:* <https://example.pagerduty.com/incidents/Q1?a=1&amp;b=2|incident #7>",
    );
  });

  it("mention Slack users and escape anyone else's name", () => {
    const markup = (person: unknown, previous: unknown = null, sameLeadAndScribe = false) =>
      renderer.render("role-change", { ...view, event: { role: "Incident Lead", person, previous, sameLeadAndScribe } });
    // People are `<@id|name>` in the chat markup; Slack gets a mention for its own users and a name for anyone else.
    expect(markup({ id: "U0ADA0001", name: "ada" })).toBe(":bust_in_silhouette: <@U0ADA0001|ada> is now the *Incident Lead*.");
    const role = (...args: Parameters<typeof markup>) => toSlackMrkdwn(markup(...args));
    expect(role({ id: "U0ADA0001", name: "ada" })).toBe(":bust_in_silhouette: <@U0ADA0001> is now the *Incident Lead*.");
    expect(role({ id: "@x", name: "<!channel>" }, { id: "W0GRACE01", name: "grace" })).toBe(
      ":bust_in_silhouette: &lt;!channel&gt; is now the *Incident Lead*, taking over from <@W0GRACE01>.",
    );
    expect(role({ id: "U0ADA0001", name: "ada" }, null, true)).toContain(":warning: <@U0ADA0001> is both Incident Lead and Scribe.");
  });

  it("show times in the configured zone and durations in words", () => {
    const resolution = renderer.render("resolution-announcement", view);
    expect(resolution).toContain("Resolved 27 Nov 2026 10:35 GMT, 1 hour 35 minutes after it began.");
    expect(resolution).toContain("questions are welcome in <#ask-team>.");
    expect(toSlackMrkdwn(resolution)).toContain("questions are welcome in #ask-team.");
    const summer = createRenderer(templates, { timeZone: "Europe/London" }).render("user-announcement", {
      ...view,
      incident: { ...view.incident, triggeredAt: "2026-07-01T12:00:00.000Z" },
    });
    expect(summer).toContain("*Since:* 1 Jul 2026 13:00 BST");
    const tokyo = createRenderer(templates, { timeZone: "Asia/Tokyo" }).render("user-announcement", view);
    expect(tokyo).toContain("*Since:* 27 Nov 2026 18:00 GMT+9");
  });

  it("leave out what the incident does not have", () => {
    const bare = renderer.render("incident-summary", {
      incident: { title: "t", status: "triggered", triggeredAt: "2026-11-27T09:00:00.000Z", assignees: "" },
      channels: view.channels,
    });
    expect(bare).toBe(
      [
        ":rotating_light: *incident: t*",
        "*Service:* not set",
        "*Status:* triggered · triggered 27 Nov 2026 09:00 GMT",
        "*Assigned in PagerDuty:* nobody",
        "This channel is where we manage the incident. Every incident needs an *Incident Lead* and a *Scribe*: please volunteer (`/incident lead me`, `/incident scribe me`).",
      ].join("\n"),
    );
  });
});

describe("helpers", () => {
  it("escape only what each target needs", () => {
    // Formatting signs too: user text never formats (Slack's renderer gives them back, see slack-markup.ts).
    expect(escapeChat("a & b < c > d * _ ~ `")).toBe("a &amp; b &lt; c &gt; d &#42; &#95; &#126; &#96;");
    expect(toSlackMrkdwn(escapeChat("a & b < c > d * _ ~ `"))).toBe("a &amp; b &lt; c &gt; d * _ ~ `");
    expect(escapeMarkdown("[x](y) *b* <i>")).toBe("\\[x\\]\\(y\\) \\*b\\* \\<i\\>");
  });

  it("format times, durations and channels", () => {
    expect(formatTime("2026-11-27T09:00:00.000Z", "Europe/London")).toBe("27 Nov 2026 09:00 GMT");
    expect(formatTime("not a time", "Europe/London")).toBe("unknown time");
    expect(formatElapsed("2026-11-27T09:00:00Z", "2026-11-27T09:00:30Z")).toBe("less than a minute");
    expect(formatElapsed("2026-11-25T09:00:00Z", "2026-11-27T10:01:00Z")).toBe("2 days 1 hour 1 minute");
    expect(formatElapsed(null, "2026-11-27T10:01:00Z")).toBe("an unknown time");
    expect(formatChannel("C0ASK00001")).toBe("<#C0ASK00001>");
    expect(formatChannel("#ask-team")).toBe("<#ask-team>");
  });
});

describe("createTimeFormatter", () => {
  it("gives exactly what formatTime gives, across clock changes and in odd zones", async () => {
    const { createTimeFormatter, formatTime } = await import("../../src/render/helpers.js");
    for (const zone of ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]) {
      const format = createTimeFormatter(zone);
      // Every 97 minutes through 2026 (about 5,400 times a zone), both clock changes of each zone among them.
      for (let ms = Date.parse("2026-01-01T00:00:00Z"); ms < Date.parse("2027-01-01T00:00:00Z"); ms += 5_820_000) {
        const iso = new Date(ms).toISOString();
        if (format(iso) !== formatTime(iso, zone)) expect(`${zone} ${iso}: ${format(iso)}`).toBe(`${zone} ${iso}: ${formatTime(iso, zone)}`);
      }
    }
    expect(createTimeFormatter("Europe/London")("not a time")).toBe("unknown time");
  });
});
