import { serve, type ServerType } from "@hono/node-server";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type NodeServer } from "../../src/node/start-server.js";
import { createFakeVendors } from "../support/fake-vendors.js";
import { testEnv, toTestConfig } from "../support/test-config.js";

/** Debian's and other usual places of a Chromium; CHROMIUM_PATH names another. */
const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const executablePath = CANDIDATES.find((path): path is string => Boolean(path && existsSync(path)));
// CI installs Chromium (.ci/run), so there a missing one is a failure, not a skip.
if (!executablePath && process.env.CI) throw new Error("no Chromium found, and CI must run the browser test: install Debian's chromium or set CHROMIUM_PATH");
if (!executablePath) console.warn("The browser test did not run: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).");

/** Where the test leaves its screenshots (the README's comes from here). */
const SHOTS = join(process.cwd(), "test-results");

describe.skipIf(!executablePath)("the web console in a real browser (headless Chromium)", () => {
  let server: NodeServer;
  let vendors: ServerType;
  let browser: Browser;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "herald-browser-"));
    // PagerDuty (with a status page) and GitHub are the fake vendors on loopback; Slack is not configured.
    const fakes = await createFakeVendors();
    vendors = serve({ fetch: fakes.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((ready) => vendors.once("listening", ready));
    const vendorsUrl = `http://127.0.0.1:${(vendors.address() as AddressInfo).port}`;
    const config = join(dir, "herald.yaml");
    writeFileSync(config, toTestConfig(readFileSync("herald.yaml", "utf8"), { slackChannels: false }));
    const { HERALD_API_TOKEN: _token, SLACK_BOT_TOKEN: _bot, HERALD_CONFIG_YAML: _yaml, ...env } = testEnv("", vendorsUrl);
    // As `npm start` runs it: no API token, so the console answers this machine and asks a name.
    server = await startNodeServer({ ...env, PORT: "0", HERALD_DB: join(dir, "herald.db"), HERALD_CONFIG: config }, () => {}, () => {});
    base = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((closed) => (vendors ? vendors.close(closed) : closed(null)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(name: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${base}/console`);
    await page.getByLabel(/Your name/).fill(name);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Open incidents" }).waitFor();
    return page;
  }

  const live = async (page: Page, text: string | RegExp) => {
    try {
      await page.locator("#live").getByText(text).first().waitFor({ timeout: 15_000 });
    } catch (error) {
      await page.screenshot({ path: join(SHOTS, "failure.png"), fullPage: true });
      const [incident] = await server.store.listIncidents();
      const effects = incident ? await server.store.effectsFor(incident.id) : [];
      throw new Error(`${(error as Error).message}\nstatus page: ${JSON.stringify(incident?.statusPage)}\neffects: ${effects.map((e) => `${e.payload.kind} ${e.status} ${e.lastError ?? ""}`).join("; ")}`);
    }
  };

  it("declares, takes lead and scribe, logs a decision, publishes the status draft, resolves with a temporary fix and opens the post-mortem", async () => {
    const ada = await signIn("ada");

    await ada.getByRole("link", { name: "Declare" }).click();
    await ada.getByLabel("Title").fill("VPC peering is down");
    await ada.getByLabel("Description").fill("Nothing routes between the two VPCs since the route table change.");
    await ada.getByLabel("Impacted service").selectOption("networking");
    await ada.getByRole("radio", { name: /P2/ }).check();
    await ada.getByRole("checkbox", { name: /update/ }).check();
    await ada.getByRole("button", { name: "Declare", exact: true }).click();
    await ada.getByRole("heading", { name: "VPC peering is down" }).waitFor({ timeout: 15_000 });
    await live(ada, "P2 incident 1: VPC peering is down");

    await ada.getByRole("button", { name: "I'll lead" }).last().click();
    await live(ada, "lead: ada");
    await ada.getByRole("button", { name: "I'll scribe" }).last().click();
    await live(ada, "scribe: ada");

    // Grace, in another browser, logs a decision; it appears on ada's page without a reload.
    await ada.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    const grace = await signIn("grace");
    await grace.goto(ada.url());
    await grace.getByLabel("Category", { exact: true }).selectOption("decision");
    await grace.getByLabel("Note", { exact: true }).fill("roll back the route table change");
    await grace.getByRole("button", { name: "Add note" }).click();
    await ada.bringToFront();
    await live(ada, "roll back the route table change");
    expect(await ada.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);

    await ada.getByRole("button", { name: "Publish", exact: true }).first().click();
    await live(ada, /Published \(incident\) by ada/);

    await ada.getByLabel("Resolution note").fill("restarted the NAT gateway");
    await ada.getByRole("checkbox", { name: /temporary fix/ }).check();
    await ada.getByRole("button", { name: "Resolve" }).click();
    await live(ada, /Resolved with a temporary fix: restarted the NAT gateway/);
    await ada.locator(".incident-head .badge.status-resolved").waitFor();
    await ada.screenshot({ path: join(SHOTS, "console-incident.png"), fullPage: true });

    // At phone width nothing runs off the side.
    await ada.setViewportSize({ width: 390, height: 844 });
    const overflow = await ada.evaluate(() =>
      document.documentElement.scrollWidth <= window.innerWidth
        ? null
        : [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth).map((e) => `${e.tagName}.${e.className}`).slice(0, 5),
    );
    expect(overflow).toBeNull();
    await ada.screenshot({ path: join(SHOTS, "console-incident-phone.png") });
    await ada.setViewportSize({ width: 1280, height: 900 });

    await ada.getByRole("button", { name: "Propose the post-mortem" }).click();
    await live(ada, /post-mortem draft/i);
    const [served] = await Promise.all([ada.waitForEvent("response", (r) => r.url().endsWith("/postmortem.md")), ada.getByRole("link", { name: "post-mortem draft" }).first().click()]);
    const markdown = await served.text();
    expect(markdown).toContain("VPC peering is down");
    expect(markdown).toContain("roll back the route table change");
    expect(markdown).toContain("restarted the NAT gateway");
  }, 120_000);
});
