import { dirname, join, resolve } from "node:path";

/** Herald's SQLite file on Node: HERALD_DB, or ./data/herald.db (npm start, the demo and the vacuum agree on it). */
export function sqlitePath(env: NodeJS.ProcessEnv): string {
  return resolve(env.HERALD_DB ?? "./data/herald.db");
}

/** Where Node keeps the PagerDuty webhook secret it made itself, without PAGERDUTY_WEBHOOK_SECRETS: beside the database. */
export function localWebhookSecretPath(dbPath: string): string {
  return join(dirname(dbPath), "pagerduty-webhook-secret");
}
