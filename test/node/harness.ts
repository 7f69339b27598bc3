import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll } from "vitest";
import type Database from "better-sqlite3";
import { applySqliteMigrations, openSqliteDatabase } from "../../src/store/sqlite-store.js";
import { createSqlStore } from "../../src/store/sql-store.js";
import { createFakeVendors } from "../support/fake-vendors.js";
import { hasWork, type Harness } from "../support/harness.js";
import { nodeHerald } from "./node-herald.js";
import { testEnv } from "../support/test-config.js";

const heraldYaml = readFileSync("herald.yaml", "utf8");
const vendors = await createFakeVendors();
const server = serve({ fetch: vendors.app.fetch, port: 0, hostname: "127.0.0.1" });
const vendorsUrl = await new Promise<string>((resolve) =>
  server.once("listening", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let lastDatabase: Database.Database | null = null;

/** Node: SQLite in memory, the fake Slack on loopback, background work run by `settle`. */
export const harness: Harness = {
  runtime: "node",
  vendorsUrl,
  async freshStore() {
    const { db, sql } = openSqliteDatabase(":memory:");
    applySqliteMigrations(db, "migrations");
    lastDatabase = db;
    return createSqlStore(sql);
  },
  async databaseBytes() {
    if (!lastDatabase) throw new Error("no fresh store yet");
    return (lastDatabase.pragma("page_count", { simple: true }) as number) * (lastDatabase.pragma("page_size", { simple: true }) as number);
  },
  async start(options = {}) {
    vendors.reset();
    const env = testEnv(heraldYaml, vendorsUrl);
    if (options.chat === "local") delete env.SLACK_BOT_TOKEN;
    if (options.config) env.HERALD_CONFIG_YAML = options.config;
    Object.assign(env, options.env);
    const printed: string[] = [];
    const { herald, store } = nodeHerald({ env, store: await this.freshStore(), print: (line) => printed.push(line) });
    const app = herald.app({ schedule: () => {} });
    return {
      store,
      request: async (path, init) => app.request(path, init),
      async settle() {
        for (let i = 0; i < 100 && (await hasWork(store)); i++) await herald.pipeline();
      },
      slackCalls: async () => structuredClone(vendors.slack.calls()),
      pagerdutyCalls: async () => structuredClone(vendors.pagerduty.calls()),
      githubCalls: async () => structuredClone(vendors.github.calls()),
      teamsCalls: async () => structuredClone(vendors.teams.calls()),
      printed: () => printed,
      async failSlack(method, fault) {
        await fetch(`${vendorsUrl}/slack/__fault/${method}`, { method: "POST", body: JSON.stringify(fault) });
      },
    };
  },
};
