import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import heraldYaml from "../../herald.yaml?raw";
import { defaultConfigText } from "../../src/generated/default-config.js";
import { ConsoleClient } from "../support/console-client.js";
import { deliveries } from "../support/fixtures.js";
import { fuzzCases, fuzzSeed, mutateFormBody, mutateJsonBody, random, type Mutation } from "../support/fuzz.js";
import { signedDelivery } from "../support/signed.js";
import { slashCommand, signed } from "../support/slack-requests.js";
import { events, interactions, slashCommands } from "../support/slack-fixtures.js";
import { teamsFixtures } from "../support/teams-fixtures.js";
import { botToken, fromWebhook, messageActivity, teamsConfig, teamsEnv } from "../support/teams-requests.js";
import { toTestConfig } from "../support/test-config.js";

// Every fixture, mutated (truncated, characters flipped, fields removed or retyped, huge strings,
// deep nesting, markup, wrong encodings) and correctly signed, sent to its route: never a 5xx, never
// a refused request stored, and everything accepted processed (or kept as failed, with why).
// FUZZ_SEED replays a run; FUZZ_CASES sets the cases per route (`npm run soak` runs thousands).
const SEED = fuzzSeed();
const CASES = fuzzCases(harness.runtime === "node" ? 100 : 50);
const FORM = "application/x-www-form-urlencoded";
// Time enough for the cases on a slow machine (what is checked is the answers, not the speed).
const TIMEOUT = 30_000 + CASES * 200;

type Running = Awaited<ReturnType<typeof harness.start>>;
interface Target {
  route: string;
  bases: string[];
  mutate: (rand: () => number, body: string) => Mutation;
  sign: (body: string) => Promise<RequestInit>;
}

async function fuzz(herald: Running, target: Target, seed: number): Promise<void> {
  const rand = random(seed);
  let pending = (await herald.store.pendingDeliveries(10_000)).length;
  for (let i = 0; i < CASES; i++) {
    const base = target.bases[Math.floor(rand() * target.bases.length)]!;
    const mutation = target.mutate(rand, base);
    const what = `${target.route} case ${i} (FUZZ_SEED=${seed}): ${mutation.name}`;
    const response = await herald.request(target.route, await target.sign(mutation.body));
    expect(response.status, what).toBeLessThan(500);
    await response.arrayBuffer();
    const now = (await herald.store.pendingDeliveries(10_000)).length;
    if (response.status >= 400) expect(now, `${what}: refused with ${response.status} but stored`).toBe(pending);
    pending = now;
  }
  await herald.settle();
  const left = await herald.store.pendingDeliveries(10);
  expect(left.map((d) => `${d.id}: ${d.body.slice(0, 300)}`), `${target.route}: every accepted delivery is processed`).toEqual([]);
  const stuck = (await herald.store.openEffects(1000)).filter((e) => e.status === "in_flight");
  expect(stuck, `${target.route}: nothing is left half-done`).toEqual([]);
}

describe(`fuzzing every route with signed, mutated fixtures (${harness.runtime})`, () => {
  it("PagerDuty webhooks", async () => {
    const herald = await harness.start();
    await fuzz(herald, { route: "/webhooks/pagerduty", bases: Object.values(deliveries), mutate: mutateJsonBody, sign: (body) => signedDelivery(body) }, SEED);
  }, TIMEOUT);

  it("Slack commands, interactions and events", async () => {
    const herald = await harness.start();
    const commands = [
      slashCommands.webhookCollect,
      slashCommands.weather,
      String((await slashCommand("declare P1 networking VPC is down")).body),
      String((await slashCommand("note decision: roll back")).body),
      String((await slashCommand("lead @ada")).body),
    ];
    await fuzz(herald, { route: "/slack/commands", bases: commands, mutate: mutateFormBody, sign: (body) => signed(body, FORM) }, SEED + 1);
    const forms = Object.values(interactions).map((payload) => `payload=${encodeURIComponent(payload)}`);
    await fuzz(herald, { route: "/slack/interactions", bases: forms, mutate: mutateFormBody, sign: (body) => signed(body, FORM) }, SEED + 2);
    await fuzz(herald, { route: "/slack/events", bases: Object.values(events), mutate: mutateJsonBody, sign: (body) => signed(body, "application/json") }, SEED + 3);
  }, TIMEOUT * 3);

  it("Teams bot activities and outgoing webhooks", async () => {
    const url = harness.vendorsUrl;
    const herald = await harness.start({ chat: "local", config: teamsConfig(heraldYaml), env: teamsEnv(url) });
    const activities = [
      JSON.stringify(messageActivity(url, "declare P1 networking VPC is down")),
      JSON.stringify(messageActivity(url, "note decision: roll back")),
      JSON.stringify(messageActivity(url, "", { value: { action: "volunteer", value: "lead" } })),
    ];
    const token = await botToken(url, { serviceUrl: `${url}/teams/connector/` });
    const bot = async (body: string): Promise<RequestInit> => ({ method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
    await fuzz(herald, { route: "/teams/messages", bases: activities, mutate: mutateJsonBody, sign: bot }, SEED + 4);
    await fuzz(herald, { route: "/teams/messages", bases: [teamsFixtures.channelMessage, ...activities], mutate: mutateJsonBody, sign: (body) => fromWebhook(body) }, SEED + 5);
  }, TIMEOUT * 2);

  it("console forms: commands typed in a room, buttons, the declare form", async () => {
    const herald = await harness.start({ chat: "local", config: toTestConfig(defaultConfigText, { slackChannels: false }) });
    const ada = await ConsoleClient.signIn(herald.request, "ada");
    const room = "modernisation-platform";
    // A browser's form: the session's cookies and CSRF token, and a one-time id of its own each time
    // (first, so a mutation cannot take it away, and a case is not refused only as a resubmission).
    const form = async (body: string): Promise<RequestInit> => ({
      method: "POST",
      headers: { "content-type": FORM, cookie: ada.cookieHeader() },
      body: `_once=${crypto.randomUUID()}&${body}`,
      redirect: "manual",
    });
    const fields = (values: Record<string, string>) => new URLSearchParams({ _csrf: ada.csrf, ...values }).toString();
    const said = ["/incident declare P1 networking VPC is down", "/incident help", "/incident triage", "/incident note decision: roll back", "/incident lead me"].map((text) => fields({ text }));
    await fuzz(herald, { route: `/console/rooms/${room}/say`, bases: said, mutate: mutateFormBody, sign: form }, SEED + 6);
    const pressed = [fields({ action: "triage_declare", value: "declare" }), fields({ action: "volunteer", value: "lead" })];
    await fuzz(herald, { route: `/console/rooms/${room}/press`, bases: pressed, mutate: mutateFormBody, sign: form }, SEED + 7);
    const declared = [`${fields({ room, title: "VPC peering is down", description: "Nothing routes", service: "networking", priority: "P2" })}&notify=update`];
    await fuzz(herald, { route: "/console/declare", bases: declared, mutate: mutateFormBody, sign: form }, SEED + 8);
  }, TIMEOUT * 3);

  // Found by fuzzing, kept: an id the database would store altered could never be marked processed,
  // and came back first in the queue on every run.
  it("refuses ids with broken Unicode or control characters", async () => {
    const herald = await harness.start();
    for (const id of ["EVT\ud800", "EVT\u0000", "EVT one"]) {
      const payload = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
      payload.event.id = id;
      const body = JSON.stringify(payload);
      const response = await herald.request("/webhooks/pagerduty", await signedDelivery(body));
      expect(response.status, id).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("is not a PagerDuty id");
    }
    expect(await herald.store.pendingDeliveries(10)).toEqual([]);
  });
});
