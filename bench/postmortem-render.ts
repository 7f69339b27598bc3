// npm run bench:postmortem: how long the post-mortem of a 2,000-entry, two-day incident takes to
// render (building its view and the Markdown), against a plain JSON.stringify of the same record,
// in the same run. Target: under 10× JSON.stringify.
import { readFileSync } from "node:fs";
import { loadConfig } from "../src/config/load-config.js";
import { documentView } from "../src/documents/document-view.js";
import { templates } from "../src/generated/templates.js";
import { createRenderer } from "../src/render/renderer.js";
import { longIncident } from "../test/support/long-incident.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const config = loadConfig(readFileSync("herald.yaml", "utf8"), { source: "herald.yaml", env: {}, templateNames: Object.keys(templates) });
const renderer = createRenderer(templates, { timeZone: config.timezone });
const { incident, timeline } = longIncident();
const now = new Date("2026-04-01T09:00:00Z");

/** Median milliseconds per call over ROUNDS calls, after a warm-up of ROUNDS / 4. */
function time(work: () => string): { ms: number; bytes: number } {
  let bytes = 0;
  for (let i = 0; i < ROUNDS / 4; i++) bytes = work().length;
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    bytes = work().length;
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)]!, bytes };
}

// Interleaved twice, so neither gets the machine at its best or worst alone.
const json1 = time(() => JSON.stringify({ incident, timeline }));
const render1 = time(() => renderer.render("postmortem", documentView(incident, timeline, config, now)));
const json2 = time(() => JSON.stringify({ incident, timeline }));
const render2 = time(() => renderer.render("postmortem", documentView(incident, timeline, config, now)));
const json = Math.min(json1.ms, json2.ms);
const render = Math.min(render1.ms, render2.ms);

console.log(`${timeline.length} timeline entries, median of ${ROUNDS} calls each\n`);
console.log("| work | ms per call | output bytes |");
console.log("|---|---|---|");
console.log(`| JSON.stringify of the record (baseline) | ${json.toFixed(3)} | ${json1.bytes} |`);
console.log(`| post-mortem (view + Markdown) | ${render.toFixed(3)} | ${render1.bytes} |`);
const ratio = render / json;
console.log(`\nTarget: under 10× JSON.stringify. Measured: ${ratio.toFixed(2)}× (${ratio < 10 ? "met" : "NOT met"}).`);
