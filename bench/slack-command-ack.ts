// npm run bench:slack: signed `/incident help` slash commands acknowledged per second, Herald against
// @slack/bolt 5 (default HTTP receiver) acking the same signed command, in the same run.
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONNECTIONS, DURATION, measure, printTable, type NextRequest } from "./bench-kit.js";

const SECRET = "bench-slack-signing-secret";

// Enough signed commands for the fastest server's warm-up and run, made before either starts: signing
// them during the run would take CPU from the servers on a small machine (all stay in Slack's
// 5-minute window for the length of the benchmark).
const POOL = Number(process.env.BENCH_POOL ?? 250_000);

/** The same `/incident help` commands for both, each signed as Slack does, with its own trigger id. */
function commands(path: string, pool: { body: string; headers: Record<string, string> }[]): NextRequest {
  let n = 0;
  return () => ({ path, ...pool[n++ % pool.length]! });
}

function signedCommands(): { body: string; headers: Record<string, string> }[] {
  let n = 0;
  return Array.from({ length: POOL }, () => {
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
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
      },
    };
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "herald-bench-"));
  writeFileSync(join(dir, "herald.yaml"), readFileSync("herald.yaml", "utf8"));
  console.log(`${DURATION}s per server, ${CONNECTIONS} connections, signed /incident help\n`);
  const env = { SLACK_SIGNING_SECRET: SECRET, PAGERDUTY_WEBHOOK_SECRETS: "unused" };
  const pool = signedCommands();
  const bolt = await measure("@slack/bolt 5, HTTPReceiver", "bolt", env, commands("/slack/events", pool));
  const herald = await measure(
    "Herald",
    "herald",
    { ...env, HERALD_DB: join(dir, "herald.db"), HERALD_CONFIG: join(dir, "herald.yaml") },
    commands("/slack/commands", pool),
  );
  // What this machine allows at all: a Hono handler that reads the body and answers the same help
  // text, checking nothing (the load generator shares the machine's cores with the server).
  const ceiling = await measure("ceiling: Hono, read body, fixed reply, no checks", "help-ceiling", env, commands("/slack/commands", pool));
  rmSync(dir, { recursive: true, force: true });
  printTable([bolt, herald, ceiling], bolt, "× Bolt's rate");
  const ratio = herald.rps / bolt.rps;
  console.log(`\nTarget: Herald ≥ 2.5× Bolt's rate. Measured: ${ratio.toFixed(2)}× (${ratio >= 2.5 ? "met" : "NOT met"}).`);
  process.exit(0);
}

void main();
