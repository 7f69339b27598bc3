// npm run bench: signed incident.triggered deliveries per second through POST /webhooks/pagerduty,
// Herald against two baselines measured in the same run (see bench/server.ts), the second in rounds
// taken in turn with Herald. Each server runs in a child process, and so does the fake Slack that
// receives Herald's effects (a fresh one for each round of Herald's); autocannon runs in this one.
import { CONNECTIONS, DURATION, measure, percentile, printTable, startHelper, type NextRequest, type Row } from "./bench-kit.js";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SLACK_TEST_TOKEN, toTestConfig } from "../test/support/test-config.js";

const SECRET = "bench-webhook-secret";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Senders at once for the second set of paired rounds: worst-day's load, enough that requests always wait. */
const SATURATED = Number(process.env.BENCH_SATURATED_CONNECTIONS ?? 100);
const secrets = { PAGERDUTY_WEBHOOK_SECRETS: SECRET };
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

const next: NextRequest = () => {
  const { body, signature } = nextDelivery();
  return {
    path: "/webhooks/pagerduty",
    body,
    headers: { "content-type": "application/json", "x-pagerduty-signature": signature },
  };
};

function describeDrain(d: Record<string, number>): string {
  return (
    `${d.deliveries} deliveries stored (warm-up included), ${d.deliveriesLeft} not yet processed; ` +
    `${d.effectsDone} chat calls done, ${d.effectsLeft} waiting, ${d.effectsFailed} failed, ${d.effectsSkipped} skipped (no PagerDuty to look assignees up in) ` +
    `— ${d.seconds} s after the load (the drain is cut at DRAIN_SECONDS, default 30)`
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "herald-bench-"));
  writeFileSync(join(dir, "herald.yaml"), toTestConfig(readFileSync("herald.yaml", "utf8")));

  console.log(
    `${DURATION}s per server and round, ${CONNECTIONS} connections (then ${SATURATED} for the paired rounds), signed incident.triggered (P1) deliveries\n`,
  );
  const rows = [
    await measure("bare Hono, 202 only", "bare", secrets, next),
    await measure("verify + parse, 202 (plain Hono handler)", "verify", secrets, next),
  ];
  // Herald and the handler that reads bodies as it does take turns, ROUNDS times, each on a fresh
  // process (Herald on a fresh database): a round's two figures come from the same minute of this
  // machine, whose speed drifts from minute to minute, and the ratio is the rounds' median. The
  // rounds are run twice: with CONNECTIONS senders, each waiting for its answer, Herald's rate is
  // bound partly by how long an acknowledgement waits for its commit; with SATURATED (worst-day's
  // load), requests are always waiting, and the rate is what the server can take in.
  const sets: { connections: number; rounds: { raw: Row; herald: Row }[] }[] = [];
  let databases = 0;
  for (const connections of CONNECTIONS === SATURATED ? [CONNECTIONS] : [CONNECTIONS, SATURATED]) {
    const rounds: { raw: Row; herald: Row }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const label = `round ${round}, ${connections} connections`;
      const raw = await measure(`verify + parse, 202, Herald's body reading (${label})`, "verify-raw", secrets, next, undefined, connections);
      const last = connections === SATURATED && round === ROUNDS;
      // The fake Slack works off Herald's chat calls (thousands a second) in a process of its own: in
      // this one it would hold up autocannon, and so Herald's figures, and no baseline's.
      const slack = await startHelper("bench/fake-slack-server.ts");
      const database = join(dir, `herald-${++databases}.db`);
      const herald = await measure(
        `Herald, stored durably (${label})`,
        "herald",
        {
          ...secrets,
          HERALD_DB: database,
          HERALD_CONFIG: join(dir, "herald.yaml"),
          SLACK_BOT_TOKEN: SLACK_TEST_TOKEN,
          SLACK_API_URL: `http://127.0.0.1:${slack.port}/api/`,
        },
        next,
        last ? describeDrain : undefined,
        connections,
      );
      slack.child.kill();
      // Gone before the next round: the kernel would otherwise still be writing its pages out then.
      for (const file of [database, `${database}-wal`, `${database}-shm`]) rmSync(file, { force: true });
      rounds.push({ raw, herald });
      rows.push(raw, herald);
    }
    sets.push({ connections, rounds });
  }
  rmSync(dir, { recursive: true, force: true });

  printTable(rows, rows[1]!, "× plain verify-only rate");
  const median = (values: number[]) => percentile(values, 50);
  const ratio = median(sets[0]!.rounds.map((r) => r.herald.rps)) / rows[1]!.rps;
  console.log(
    `\nTarget: Herald ≥ 0.75× the verify-only handler's rate. Against the plain Hono handler (Herald's median round, ${CONNECTIONS} connections): ${ratio.toFixed(2)}× (${ratio >= 0.75 ? "met" : "NOT met"}).`,
  );
  for (const { connections, rounds } of sets) {
    const strict = rounds.map((r) => r.herald.rps / r.raw.rps);
    console.log(
      `Against a handler that reads bodies as fast as Herald does (the cost of durability alone), ${connections} connections, round by round: ` +
        `${strict.map((r) => r.toFixed(2)).join(", ")}; median ${median(strict).toFixed(2)}× (${median(strict) >= 0.75 ? "met" : "NOT met"}).`,
    );
    const threads = rounds.filter((r) => r.herald.threadCpuUsPerRequest !== null && r.raw.threadCpuUsPerRequest !== null);
    if (!threads.length) continue;
    // Each server answers on one thread, so its rate is bound by that thread's time a request,
    // whatever its other threads (Herald's background and checkpoints) take.
    const perRound = threads.map((r) => r.raw.threadCpuUsPerRequest! / r.herald.threadCpuUsPerRequest!);
    console.log(
      `  The serving thread's CPU a request, Herald / that handler: ` +
        threads.map((r) => `${r.herald.threadCpuUsPerRequest!.toFixed(0)} / ${r.raw.threadCpuUsPerRequest!.toFixed(0)} µs`).join(", ") +
        `; the handler's time over Herald's, median ${median(perRound).toFixed(2)}×.`,
    );
  }
  process.exit(0);
}

void main();
