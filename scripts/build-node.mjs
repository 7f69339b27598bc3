// Builds Herald for Node (`npm start`): src/node/main.ts and what it imports, as one ES module in
// dist/node/ (the same depth as src/node/, so paths it finds from its own place still hold).
// Packages stay in node_modules. Built once instead of compiled at every start, and without the
// function-name wrappers a just-in-time TypeScript loader adds around every closure. The
// benchmarks build their server the same way (bench/bench-kit.ts).
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundles one entry point (a path from the repository's root) into `outfile` for Node 20, and, for an
 * entry that starts Herald, the background thread its server starts (src/node/start-server.ts) into
 * its place beside it.
 */
export async function buildForNode(entry, outfile, { startsHerald = true } = {}) {
  await Promise.all([
    bundle(entry, outfile),
    ...(startsHerald ? [bundle("src/node/background-worker.ts", "dist/node/background-worker.mjs")] : []),
  ]);
}

async function bundle(entry, outfile) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, outfile),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // handlebars has no exports map: Node finds its runtime only by the file's full name.
    alias: { "handlebars/runtime": "handlebars/runtime.js" },
    sourcemap: "linked",
    logLevel: "warning",
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildForNode("src/node/main.ts", "dist/node/main.mjs");
