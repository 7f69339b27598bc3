// What the Worker benchmarks (bench:workerd, bench:worker-cpu, bench:workerd-cpu) share: the
// PagerDuty events they send and the tables they print (the deploy bundle and the migrations are in
// test/support/workerd-process.ts).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { WEBHOOK_SECRET } from "../test/support/test-config.js";
import { percentile, spread } from "./bench-kit.js";

const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/pagerduty/zulip_${name}_v3.json`, "utf8"));
export const KINDS = ["triggered", "acknowledged", "annotated", "priority_updated", "resolved"] as const;
const fixtures = Object.fromEntries(KINDS.map((kind) => [kind, fixture(kind)]));

/** The n-th event: incident n/5's next step, with fresh event and incident ids, signed as PagerDuty signs. */
export function event(n: number): { kind: string; body: string; headers: Record<string, string> } {
  const kind = KINDS[n % KINDS.length]!;
  const incident = Math.floor(n / KINDS.length) + 1;
  const delivery = structuredClone(fixtures[kind]);
  delivery.event.id = `WORKERD${n}`;
  const data = delivery.event.data;
  if (kind === "annotated") {
    data.id = `PNOTE${n}`;
    data.incident.id = `PW${incident}`;
  } else {
    data.id = `PW${incident}`;
    data.number = incident;
    data.html_url = `https://example.pagerduty.com/incidents/PW${incident}`;
  }
  // Every other incident pages as a P1 (announced at once); the rest as a P3, raised to P1 later.
  if (kind === "triggered") data.priority = { id: "PPRIO01", type: "priority_reference", summary: incident % 2 ? "P1" : "P3" };
  if (kind === "priority_updated") data.priority = { id: "PPRIO01", type: "priority_reference", summary: "P1" };
  const body = JSON.stringify(delivery);
  const signature = `v1=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
  return { kind, body, headers: { "content-type": "application/json", "x-pagerduty-signature": signature } };
}

/** The statements of the migrations, in order (they hold no triggers, so `;` ends each). */
/** A column of `eventTable`: its header (the figures are p50 / p99 / max) and each event's figure. */
export interface EventColumn<R> {
  header: string;
  of: (row: R) => number;
  digits: number;
}

/**
 * Prints the events' figures as a table: all but the first, each kind, then the first alone (a new
 * Herald's, or the isolate's first request: code that runs there for the first time). Returns the
 * p99 of `judged` over all but the first.
 */
export function eventTable<R extends { kind: string }>(title: string, rows: R[], columns: EventColumn<R>[], firstLabel: string, judged: (row: R) => number): number {
  const line = (label: string, of: R[]) => `| ${label} | ${of.length} | ${columns.map((c) => spread(of.map(c.of), c.digits)).join(" | ")} |`;
  const warm = rows.slice(1);
  console.log(`\n${title}\n`);
  console.log(`| events | n | ${columns.map((c) => `${c.header} p50 / p99 / max`).join(" | ")} |`);
  console.log(`|---|---|${columns.map(() => "---|").join("")}`);
  console.log(line("all but the first", warm));
  for (const kind of KINDS) console.log(line(kind, warm.filter((r) => r.kind === kind)));
  console.log(line(firstLabel, rows.slice(0, 1)));
  return percentile(warm.map(judged), 99);
}

/** Each event's least over the passes, each of `fields` on its own: what the event itself costs. */
export function leastOver<R>(passes: R[][], fields: (keyof R)[]): R[] {
  return passes[0]!.map((row, i) => {
    const least = { ...row };
    for (const field of fields) least[field] = Math.min(...passes.map((p) => p[i]![field] as number)) as R[keyof R];
    return least;
  });
}
