// What the Worker benchmarks (bench:workerd, bench:worker-cpu) share: the deploy bundle, the
// PagerDuty events they send, and the migrations they apply to a fresh D1.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WEBHOOK_SECRET } from "../test/support/test-config.js";

/**
 * The Worker as `wrangler deploy` would upload it, in a fresh temporary folder (its `index.js`).
 * BENCH_BUNDLE=file: that bundle instead, one built earlier (`wrangler deploy --dry-run --outdir`),
 * to measure two versions of Herald in turn in the same hour.
 */
export function deployBundle(): string {
  const bundle = mkdtempSync(join(tmpdir(), "herald-worker-bundle-"));
  if (process.env.BENCH_BUNDLE) {
    copyFileSync(process.env.BENCH_BUNDLE, join(bundle, "index.js"));
    return bundle;
  }
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", bundle], { stdio: "ignore" });
  return bundle;
}

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
export function migrationStatements(): string[] {
  return readdirSync("migrations")
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .flatMap((file) =>
      readFileSync(join("migrations", file), "utf8")
        .split("\n")
        .filter((line) => !line.trim().startsWith("--"))
        .join("\n")
        .split(";")
        .map((statement) => statement.trim())
        .filter(Boolean),
    );
}
