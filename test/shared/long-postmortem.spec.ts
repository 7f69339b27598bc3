import heraldYaml from "../../herald.yaml?raw";
import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { documentView } from "../../src/documents/document-view.js";
import { templates } from "../../src/generated/templates.js";
import { createRenderer } from "../../src/render/renderer.js";
import { longIncident } from "../support/long-incident.js";

const config = loadConfig(heraldYaml, { source: "herald.yaml", env: {}, templateNames: Object.keys(templates) });
const renderer = createRenderer(templates, { timeZone: config.timezone });

describe(`a long incident's post-mortem (2,000 timeline entries over two days, ${harness.runtime})`, () => {
  const { incident, timeline } = longIncident();
  const markdown = renderer.render("postmortem", documentView(incident, timeline, config, new Date("2026-04-01T09:00:00Z")));
  const section = (heading: string) => markdown.split(`## ${heading}\n\n`)[1]!.split("\n\n## ")[0]!;

  it("has every entry on the timeline, in order, with its time in the zone and its time since the start", () => {
    const rows = section("Timeline").split("\n").slice(2);
    expect(rows).toHaveLength(2000);
    // Entry n is 84 s after entry n-1, from 22:15 GMT on 28 March 2026; the clocks go forward at 01:00 GMT on the 29th.
    expect(rows[0]).toBe("| 28 Mar 2026 22:15 GMT | +0:00 | event | PagerDuty | Triggered: checkout latency over 5 s |");
    expect(rows[1]).toBe("| 28 Mar 2026 22:16 GMT | +0:01 | discussion | ada | entry 1: is it \\`db-1\\`? \\| see \\*runbook\\* |");
    // Entry 117 is at 22:15 + 117 × 84 s = 00:58:48 GMT; entry 118 at 01:00:12 GMT, which is 02:00 BST.
    expect(rows[117]).toMatch(/^\| 29 Mar 2026 00:58 GMT \| \+2:43 \|/);
    expect(rows[118]).toMatch(/^\| 29 Mar 2026 02:00 BST \| \+2:45 \|/);
    // Entry 1,029 is 86,436 s in: one day and 36 s.
    expect(rows[1029]).toMatch(/^\| 29 Mar 2026 23:15 BST \| \+1d 0:00 \|/);
    // Entry 1,999 is 167,916 s in (46 h 38 min 36 s): 20:53:36 GMT, 21:53 BST, on the 30th.
    expect(rows[1999]).toMatch(/^\| 30 Mar 2026 21:53 BST \| \+1d 22:38 \| result \| ada \| entry 1999 \|$/);
  });

  it("gives the key durations as computed by hand", () => {
    // Acknowledged 7 min 30 s after the trigger; resolved at 21:45 BST on the 30th: 1 day 22 h 30 min.
    expect(section("Key times")).toBe(
      [
        "| | When | Time from the start |",
        "|---|---|---|",
        "| Triggered | 28 Mar 2026 22:15 GMT | |",
        "| Acknowledged | 28 Mar 2026 22:22 GMT | 7 minutes (time to acknowledge) |",
        "| Resolved | 30 Mar 2026 21:45 BST | 1 day 22 hours 30 minutes (time to resolve) |",
      ].join("\n"),
    );
    expect(section("Impact")).toBe(
      "The whole platform is down or unavailable, all user applications are unavailable. Users of Operations - Modernisation Platform were affected from 28 Mar 2026 22:15 GMT until 30 Mar 2026 21:45 BST, 1 day 22 hours 30 minutes in all.",
    );
  });

  it("collects decisions, actions and results from the scribe's log", () => {
    expect(section("Decisions").split("\n")).toHaveLength(400);
    expect(section("Actions").split("\n")).toHaveLength(400);
    expect(section("Results").split("\n")[0]).toBe("- 28 Mar 2026 22:20 GMT, grace: entry 4");
    expect(section("Roles")).toContain("- **Incident Lead**: ada\n- **Scribe**: grace");
  });
});

