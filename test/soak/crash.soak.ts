import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { buildForNode } from "../../scripts/build-node.mjs";
import { until } from "../support/until.js";
import { createFakeVendors } from "../support/fake-vendors.js";
import { random } from "../support/fuzz.js";
import { watchLog } from "../support/log-watch.js";
import { testEnv } from "../support/test-config.js";
import { describeWorkLeft, expectNothingLostOrTwice, killMoment, nothingAccepted, sendCrashRequest, servedVendors, workLeft } from "./crash-load.js";
import { expectNothingLostOrTwiceInTeams, nothingAcceptedInTeams, sayHelp, sendTeamsCrashRequest, teamsCrashEnv } from "./teams-crash-load.js";

// `npm run soak`: Herald as `npm start` runs it, killed (SIGKILL) at random moments, or right after
// a vendor call, while pages and commands are in flight, ROUNDS times, restarted on the same
// database each time; once for a Slack workspace, once for a Teams team. Then: every accepted
// request processed, and no room, post or PagerDuty incident made twice.
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.CRASH_REQUESTS ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);

const vendors = await createFakeVendors();
const served = await servedVendors(vendors);
const vendorsUrl = served.url;
const dir = mkdtempSync(join(tmpdir(), "herald-crash-"));
const children: ChildProcess[] = [];

afterAll(() => {
  children.forEach((child) => child.kill("SIGKILL"));
  served.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Herald as `npm start` runs it: built once for the run. */
const MAIN = "dist/node/main.mjs";
beforeAll(() => buildForNode("src/node/main.ts", MAIN));

async function start(port: number, env: Record<string, string>, db: string): Promise<ChildProcess> {
  writeFileSync(join(dir, "herald.yaml"), env.HERALD_CONFIG_YAML!);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HERALD_DB: join(dir, db), HERALD_CONFIG: join(dir, "herald.yaml") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding("utf8").on("data", (text: string) => text.split("\n").forEach(watchLog));
  await until("Herald to answer", async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok || undefined, 30);
  return child;
}

/**
 * ROUNDS rounds of PER_ROUND requests (`send`, the k-th of the run), each round ended by a SIGKILL,
 * on one database, the first round after `first`; then Herald once more until the work is done,
 * and `check` on the database.
 */
async function soak(
  env: Record<string, string>,
  dbName: string,
  send: (k: number, herald: string, db: Database.Database) => Promise<unknown>,
  check: (db: Database.Database) => Promise<string>,
  first: (herald: string) => Promise<unknown> = async () => {},
): Promise<string> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const rand = random(SEED);
  let n = 0;
  let db: Database.Database | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    const herald = await start(port, env, dbName);
    if (round === 0) await first(`http://127.0.0.1:${port}`);
    db ??= new Database(join(dir, dbName), { readonly: true });
    const inFlight = Array.from({ length: PER_ROUND }, () => send(n++, `http://127.0.0.1:${port}`, db!));
    await killMoment(round, rand, 600, served.calls, { inFlight, done: () => workLeft(db!) === 0 });
    herald.kill("SIGKILL");
    await new Promise((resolve) => herald.once("exit", resolve));
    await Promise.allSettled(inFlight);
  }

  const herald = await start(port, env, dbName);
  db ??= new Database(join(dir, dbName), { readonly: true });
  await until("the work to be done", () => workLeft(db) === 0 || undefined, 180).catch((error: Error) => {
    throw new Error(`${error.message}: ${describeWorkLeft(db)}`);
  });
  herald.kill("SIGTERM");
  await new Promise((resolve) => herald.once("exit", resolve));
  try {
    return `${ROUNDS} kills of ${n} requests; ${await check(db)}`;
  } finally {
    db.close();
  }
}

describe("SIGKILL at random moments, restarted on the same database", () => {
  it(`loses nothing and does nothing twice over ${ROUNDS} crashes, in Slack`, async () => {
    const accepted = nothingAccepted();
    const counts = await soak(
      testEnv(readFileSync("herald.yaml", "utf8"), vendorsUrl),
      "herald.db",
      (k, herald) => sendCrashRequest(k, herald, vendorsUrl, accepted, vendors),
      (db) => expectNothingLostOrTwice(db, vendors, vendorsUrl, accepted),
    );
    console.log(`crash soak in Slack: ${counts}`);
  }, 600_000);

  it(`loses nothing and does nothing twice over ${ROUNDS} crashes, in Teams`, async () => {
    vendors.reset();
    const accepted = nothingAcceptedInTeams();
    const counts = await soak(
      teamsCrashEnv(vendorsUrl),
      "herald-teams.db",
      (k, herald, db) => sendTeamsCrashRequest(k, herald, vendorsUrl, accepted, db),
      (db) => expectNothingLostOrTwiceInTeams(db, vendorsUrl, accepted),
      // Herald learns the Bot Connector's address from the team's first activity (an installed app's).
      (herald) => sayHelp(herald, vendorsUrl),
    );
    console.log(`crash soak in Teams: ${counts}`);
  }, 600_000);
});
