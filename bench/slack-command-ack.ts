// npm run bench:slack: signed `/incident help` slash commands acknowledged per second, Herald against
// @slack/bolt 5 (default HTTP receiver) acking the same signed command, in the same run.
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONNECTIONS, DURATION, measure, printTable, type NextRequest, type Row } from "./bench-kit.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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
  console.log(`${ROUNDS} rounds of ${DURATION}s per server, ${CONNECTIONS} connections, signed /incident help\n`);
  const env = { SLACK_SIGNING_SECRET: SECRET, PAGERDUTY_WEBHOOK_SECRETS: "unused" };
  const pool = signedCommands();
  const servers = [
    { name: "@slack/bolt 5, HTTPReceiver", mode: "bolt", env, path: "/slack/events" },
    { name: "Herald", mode: "herald", env: { ...env, HERALD_DB: join(dir, "herald.db"), HERALD_CONFIG: join(dir, "herald.yaml") }, path: "/slack/commands" },
    // What this machine allows at all: a Hono handler that reads the body and answers the same help
    // text, checking nothing (the load generator shares the machine's cores with the server).
    { name: "ceiling: Hono, read body, fixed reply, no checks", mode: "help-ceiling", env, path: "/slack/commands" },
  ];
  // Interleaved rounds, so a slow spell of this machine falls on every server, not on one; each
  // server's median round is reported, and Herald's rate against Bolt's in each round.
  const rounds: Row[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rows: Row[] = [];
    for (const server of servers) rows.push(await measure(server.name, server.mode, server.env, commands(server.path, pool)));
    rounds.push(rows);
    console.log(`round ${round + 1}: ${rows.map((r) => `${r.name.split(",")[0]} ${r.rps.toFixed(0)}/s`).join(", ")}; Herald/Bolt ${(rows[1]!.rps / rows[0]!.rps).toFixed(2)}×`);
  }
  rmSync(dir, { recursive: true, force: true });
  const median = (i: number) => [...rounds.map((r) => r[i]!)].sort((a, b) => a.rps - b.rps)[Math.floor(ROUNDS / 2)]!;
  const [bolt, herald, ceiling] = [median(0), median(1), median(2)];
  console.log("");
  printTable([bolt!, herald!, ceiling!], bolt!, "× Bolt's rate");
  const ratios = rounds.map((r) => r[1]!.rps / r[0]!.rps).sort((a, b) => a - b);
  const ratio = ratios[Math.floor(ROUNDS / 2)]!;
  console.log(`\nTarget: Herald ≥ 2.5× Bolt's rate. Measured (median of the rounds' ratios): ${ratio.toFixed(2)}× (${ratio >= 2.5 ? "met" : "NOT met"}); rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")}.`);
  process.exit(0);
}

void main();
