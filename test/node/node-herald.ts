import { readFileSync } from "node:fs";
import type { Context } from "hono";
import { createHerald } from "../../src/herald.js";
import { systemClock } from "../../src/ports/clock.js";
import type { Store } from "../../src/ports/store.js";
import { readSettings } from "../../src/settings.js";
import { createSqliteStore } from "../../src/store/sqlite-store.js";
import { watchedLog } from "../support/log-watch.js";

/** Herald wired as on Node, on an in-memory SQLite store, quiet (its log is watched for secrets); the config defaults to herald.yaml. */
export function nodeHerald(options: {
  env: Record<string, string>;
  store?: Store;
  isLoopback?: (c: Context) => boolean;
  print?: (line: string) => void;
}) {
  const store = options.store ?? createSqliteStore(":memory:", "migrations");
  const herald = createHerald({
    store,
    configText: options.env.HERALD_CONFIG_YAML ?? readFileSync("herald.yaml", "utf8"),
    configSource: "herald.yaml",
    env: options.env,
    settings: readSettings(options.env),
    clock: systemClock,
    log: watchedLog,
    print: options.print ?? (() => {}),
    isLoopback: options.isLoopback,
  });
  return { herald, store };
}
