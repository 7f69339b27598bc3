// npm run bench:slack: signed `/incident help` slash commands acknowledged per second, Herald against
// @slack/bolt 5 (default HTTP receiver) acking the same signed command, in the same run.
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONNECTIONS, DURATION, measure, printTable, type NextRequest } from "./bench-kit.js";

const SECRET = "bench-slack-signing-secret";

/** The same `/incident help` command for both, signed with the current time as Slack does. */
function command(path: string): NextRequest {
  let n = 0;
  return () => {
    const body = new URLSearchParams({
      token: "legacy",
      team_id: "T0BENCH",
      channel_id: "C0BENCH",
      channel_name: "ops",
      user_id: "U0BENCH",
      user_name: "bench",
      command: "/incident",
      text: "help",
      response_url: "https://hooks.slack.com/commands/T0BENCH/1/abc",
      trigger_id: `bench.${++n}`,
      api_app_id: "A0HERALD",
    }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac("sha256", SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
    return {
      path,
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
      },
    };
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "herald-bench-"));
  writeFileSync(join(dir, "herald.yaml"), readFileSync("herald.yaml", "utf8"));
  console.log(`${DURATION}s per server, ${CONNECTIONS} connections, signed /incident help\n`);
  const env = { SLACK_SIGNING_SECRET: SECRET, PAGERDUTY_WEBHOOK_SECRETS: "unused" };
  const bolt = await measure("@slack/bolt 5, HTTPReceiver", "bolt", env, command("/slack/events"));
  const herald = await measure(
    "Herald",
    "herald",
    { ...env, HERALD_DB: join(dir, "herald.db"), HERALD_CONFIG: join(dir, "herald.yaml") },
    command("/slack/commands"),
  );
  rmSync(dir, { recursive: true, force: true });
  printTable([bolt, herald], bolt, "× Bolt's rate");
  const ratio = herald.rps / bolt.rps;
  console.log(`\nTarget: Herald ≥ 2.5× Bolt's rate. Measured: ${ratio.toFixed(2)}× (${ratio >= 2.5 ? "met" : "NOT met"}).`);
  process.exit(0);
}

void main();
