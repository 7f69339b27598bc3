// npm run bench: signed incident.triggered deliveries per second through POST /webhooks/pagerduty,
// Herald against two baselines measured in the same run (see bench/server.ts). Each server runs in a
// child process; autocannon and the fake Slack that receives Herald's effects run in this one.
import { serve } from "@hono/node-server";
import autocannon from "autocannon";
import { fork, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeSlack } from "../test/support/fake-slack.js";
import { SLACK_TEST_TOKEN, TEAM_CHANNELS, toTestConfig } from "../test/support/test-config.js";

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const SECRET = "bench-webhook-secret";
const template = JSON.parse(readFileSync("test/fixtures/pagerduty/zulip_triggered_v3.json", "utf8"));
template.event.data.priority = { id: "PPRIO01", type: "priority_reference", summary: "P1" };

let sequence = 0;
/** A fresh incident.triggered delivery (new event and incident ids), signed as PagerDuty signs it. */
function nextDelivery(): { body: string; signature: string } {
  const n = ++sequence;
  template.event.id = `BENCH${n}-${randomUUID()}`;
  template.event.data.id = `PB${n}`;
  template.event.data.number = n;
  const body = JSON.stringify(template);
  return { body, signature: `v1=${createHmac("sha256", SECRET).update(body).digest("hex")}` };
}

function ask<T>(child: ChildProcess, cmd: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: Record<string, unknown>) => {
      if (key in message) {
        child.off("message", listener);
        resolve(message[key] as T);
      }
    };
    child.on("message", listener);
    child.send({ cmd });
  });
}

async function startServer(mode: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork("bench/server.ts", [mode], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env, PAGERDUTY_WEBHOOK_SECRETS: SECRET },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve) =>
    child.on("message", (m: { ready?: number }) => m.ready && resolve(m.ready)),
  );
  return { child, port };
}

async function load(port: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/webhooks/pagerduty",
        setupRequest: (request) => {
          const { body, signature } = nextDelivery();
          return {
            ...request,
            body,
            headers: { "content-type": "application/json", "x-pagerduty-signature": signature },
          };
        },
      },
    ],
  });
}

interface Row {
  name: string;
  rps: number;
  p99: number;
  cpuUsPerRequest: number;
  non2xx: number;
  extra?: string;
}

async function measure(name: string, mode: string, env: Record<string, string> = {}): Promise<Row> {
  const { child, port } = await startServer(mode, env);
  await load(port, 2); // warm-up: JIT, SQLite pages, connections
  const before = await ask<NodeJS.CpuUsage>(child, "cpu", "cpu");
  const result = await load(port, DURATION);
  const after = await ask<NodeJS.CpuUsage>(child, "cpu", "cpu");
  let extra: string | undefined;
  if (mode === "herald") {
    const d = await ask<Record<string, number>>(child, "drain", "drain");
    extra =
      `${d.deliveries} deliveries stored (warm-up included), ${d.deliveriesLeft} not yet processed; ` +
      `${d.effectsDone} chat calls done, ${d.effectsLeft} waiting, ${d.effectsFailed} failed ` +
      `— ${d.seconds} s after the load (the drain is cut at DRAIN_SECONDS, default 30)`;
  }
  child.kill();
  const cpuUs = after.user - before.user + (after.system - before.system);
  return {
    name,
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuUsPerRequest: cpuUs / Math.max(result.requests.total, 1),
    non2xx: result.non2xx + result.errors,
    extra,
  };
}

async function main(): Promise<void> {
  const fake = createFakeSlack({ token: SLACK_TEST_TOKEN, channels: Object.values(TEAM_CHANNELS) });
  const slack = serve({ fetch: fake.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => slack.once("listening", () => resolve()));
  const slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), "herald-bench-"));
  writeFileSync(join(dir, "herald.yaml"), toTestConfig(readFileSync("herald.yaml", "utf8")));

  console.log(`${DURATION}s per server, ${CONNECTIONS} connections, signed incident.triggered (P1) deliveries\n`);
  const rows = [
    await measure("bare Hono, 202 only", "bare"),
    await measure("verify + parse, 202", "verify"),
    await measure("Herald (stored durably)", "herald", {
      HERALD_DB: join(dir, "herald.db"),
      HERALD_CONFIG: join(dir, "herald.yaml"),
      SLACK_BOT_TOKEN: SLACK_TEST_TOKEN,
      SLACK_API_URL: `${slackUrl}/api/`,
    }),
  ];
  slack.close();
  rmSync(dir, { recursive: true, force: true });

  const verify = rows[1]!;
  console.log("| server | requests/s | p99 ms | server CPU µs/request | non-2xx | × verify-only rate |");
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${row.rps.toFixed(0)} | ${row.p99} | ${row.cpuUsPerRequest.toFixed(0)} | ${row.non2xx} | ${(row.rps / verify.rps).toFixed(2)} |`,
    );
  }
  for (const row of rows) if (row.extra) console.log(`\n${row.name}: ${row.extra}`);
  const ratio = rows[2]!.rps / verify.rps;
  console.log(`\nTarget: Herald ≥ 0.75× the verify-only rate. Measured: ${ratio.toFixed(2)}× (${ratio >= 0.75 ? "met" : "NOT met"}).`);
  process.exit(0);
}

void main();
