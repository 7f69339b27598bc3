import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { testEnv } from "./test/support/test-config.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Two projects, each in its own runtime: Node (SQLite, loopback fakes) and workerd (D1, the Queue).
// Specs in test/shared/ run in both, each against its runtime's harness (`#harness`).
export default defineConfig({
  test: {
    // In CI, also write a JSON summary that .ci/run reads for its closing line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".ci/test-results.json" },
    projects: [
      {
        resolve: { alias: { "#harness": here("./test/node/harness.ts") } },
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts", "test/shared/**/*.spec.ts"],
          setupFiles: ["test/support/log-watch.ts"],
        },
      },
      {
        // Headless Chromium (Debian's chromium, driven by playwright-core) against `npm start`'s server.
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
        },
      },
      {
        resolve: { alias: { "#harness": here("./test/workers/harness.ts") } },
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...testEnv(readFileSync(here("./herald.yaml"), "utf8"), inject("fakeVendorsUrl")),
                TEST_MIGRATIONS: await readD1Migrations(here("./migrations")),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts", "test/shared/**/*.spec.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
          setupFiles: ["test/workers/apply-migrations.ts", "test/support/log-watch.ts"],
        },
      },
    ],
  },
});
