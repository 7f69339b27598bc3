import type Database from "better-sqlite3";
import type { ChildProcess } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { createFakeVendors } from "../support/fake-vendors.js";
import { random } from "../support/fuzz.js";
import { watchLog } from "../support/log-watch.js";
import { testEnv } from "../support/test-config.js";
import { d1Backend, deployBundle, freePort, serveD1, startWorkerd } from "../support/workerd-process.js";
import { describeWorkLeft, expectNothingLostOrTwice, killMoment, nothingAccepted, sendCrashRequest, servedVendors, workLeft } from "./crash-load.js";
import { expectNothingLostOrTwiceInTeams, nothingAcceptedInTeams, sayHelp, sendTeamsCrashRequest, teamsCrashEnv } from "./teams-crash-load.js";

// `npm run soak`, the Worker's half of the crash soak: the deploy bundle in workerd on its own, D1
// outside it (this process's SQLite, which outlives every workerd as D1 outlives an isolate), killed
// (SIGKILL) at random moments, or right after a vendor call, while pages and commands are in flight
// and their background work runs in the requests' waitUntil, ROUNDS times; once for a Slack
// workspace, once for a Teams team. Here, unlike on Node, a lane's last outcome waits for the
// next D1 call (promise 2), so a kill can lose it. Then the minute's cron sweep, run until nothing is
// left: every accepted request processed, and no room, post or PagerDuty incident made twice.
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.CRASH_REQUESTS ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129) + 1;

/** The Worker, with the cron's sweep on a path of its own, answered once the sweep's work is done. */
const SWEEPING_ENTRY = `import worker from "./index.js";
export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname !== "/__soak/scheduled") return worker.fetch(request, env, ctx);
    const waits = [];
    await worker.scheduled({ scheduledTime: Date.now(), cron: "* * * * *", noRetry() {} }, env, { waitUntil: (promise) => waits.push(promise), passThroughOnException() {} });
    while (waits.length > 0) await Promise.allSettled(waits.splice(0));
    return new Response(null, { status: 204 });
  },
};
`;

const vendors = await createFakeVendors();
const served = await servedVendors(vendors);
const vendorsUrl = served.url;
const d1 = d1Backend();
d1.reset();
const backend = await serveD1(d1);
const bundle = deployBundle();
writeFileSync(join(bundle, "soak-entry.js"), SWEEPING_ENTRY);
const children: ChildProcess[] = [];

afterAll(() => {
  children.forEach((child) => child.kill("SIGKILL"));
  served.close();
  backend.close();
  rmSync(bundle, { recursive: true, force: true });
});

async function start(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const workerd = await startWorkerd({ bundle, entry: "soak-entry.js", env, backend: backend.address, port, onLine: watchLog });
  children.push(workerd);
  return workerd;
}

async function kill(workerd: ChildProcess): Promise<void> {
  workerd.kill("SIGKILL");
  if (workerd.exitCode === null && workerd.signalCode === null) await new Promise((resolve) => workerd.once("exit", resolve));
  // The killed isolate's lease on the pipeline runs out 60 s after it was last taken; let it go now
  // rather than wait, as the next runner would find it then.
  d1.db.prepare(`DELETE FROM leases`).run();
}

/** One run of the cron's sweep, answered once its work is done. */
async function sweep(herald: string): Promise<void> {
  await (await fetch(`${herald}/__soak/scheduled`, { method: "POST" })).arrayBuffer();
}

/**
 * ROUNDS rounds of PER_ROUND requests (`send`, the k-th of the run), each round ended by a SIGKILL,
 * on one D1, the first round after `first`; then the cron's sweeps until the work is done, and
 * `check` on the database.
 */
async function soak(
  env: Record<string, string>,
  send: (k: number, herald: string, db: Database.Database) => Promise<unknown>,
  check: (db: Database.Database) => Promise<string>,
  first: (herald: string) => Promise<unknown> = async () => {},
): Promise<string> {
  const port = await freePort();
  const herald = `http://127.0.0.1:${port}`;
  const rand = random(SEED);
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const workerd = await start(port, env);
    if (round === 0) await first(herald);
    const inFlight = Array.from({ length: PER_ROUND }, () => send(n++, herald, d1.db));
    // A request's run stops at its invocation's D1 budget, which the others sent with it share;
    // the cron's sweeps (or the Queue's "more") carry on, here one after another until the kill.
    let killed = false;
    const sweeping = (async () => {
      while (!killed) await sweep(herald).catch(() => null);
    })();
    await killMoment(round, rand, 1_000, served.calls, { inFlight, done: () => workLeft(d1.db) === 0 });
    killed = true;
    await kill(workerd);
    await Promise.allSettled([...inFlight, sweeping]);
  }

  // The cron's sweeps, each an invocation with its own D1 budget, one after another until nothing is left.
  const workerd = await start(port, env);
  const deadline = Date.now() + 180_000;
  let sweeps = 0;
  for (; workLeft(d1.db) > 0; sweeps++) {
    if (Date.now() > deadline) throw new Error(`the work was not done after ${sweeps} sweeps: ${describeWorkLeft(d1.db)}`);
    await sweep(herald);
  }
  await kill(workerd);
  // An action started again here may also be one whose outcome, held for the next D1 call, a kill lost.
  return `${ROUNDS} kills of ${n} requests, then ${sweeps} sweeps; ${await check(d1.db)}`;
}

describe("the Worker in workerd, SIGKILLed at random moments, its D1 kept", () => {
  it(`loses nothing and does nothing twice over ${ROUNDS} crashes, in Slack`, async () => {
    const accepted = nothingAccepted();
    const counts = await soak(
      testEnv(readFileSync("herald.yaml", "utf8"), vendorsUrl),
      (k, herald) => sendCrashRequest(k, herald, vendorsUrl, accepted, vendors),
      (db) => expectNothingLostOrTwice(db, vendors, vendorsUrl, accepted),
    );
    console.log(`workerd crash soak in Slack: ${counts}`);
  }, 600_000);

  it(`loses nothing and does nothing twice over ${ROUNDS} crashes, in Teams`, async () => {
    vendors.reset();
    d1.reset();
    const accepted = nothingAcceptedInTeams();
    const counts = await soak(
      teamsCrashEnv(vendorsUrl),
      (k, herald, db) => sendTeamsCrashRequest(k, herald, vendorsUrl, accepted, db),
      (db) => expectNothingLostOrTwiceInTeams(db, vendorsUrl, accepted),
      (herald) => sayHelp(herald, vendorsUrl),
    );
    console.log(`workerd crash soak in Teams: ${counts}`);
  }, 600_000);
});
