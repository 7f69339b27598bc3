// npm run bench:bundle: the Worker's bundle as `wrangler deploy` would upload it, raw and gzipped
// (Cloudflare's limits: 3 MB gzip on the free plan, 10 MB paid; Herald's target: under 1 MB gzip).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const out = mkdtempSync(join(tmpdir(), "herald-bundle-"));
execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], { stdio: "ignore" });
const bundle = readFileSync(join(out, "index.js"));
const gzip = gzipSync(bundle, { level: 9 }).length;
const locales = new Set(bundle.toString("utf8").match(/node_modules\/zod\/v4\/locales\/[\w-]+\.js/g) ?? []);
rmSync(out, { recursive: true, force: true });
console.log(`Worker bundle: ${(bundle.length / 1e6).toFixed(2)} MB raw, ${(gzip / 1e3).toFixed(0)} KB gzip (target: under 1 MB gzip); zod locales in it: ${locales.size}.`);
