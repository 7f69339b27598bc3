import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { createFakeSlack } from "../support/fake-slack.js";
import { SLACK_TEST_TOKEN, TEAM_CHANNELS } from "../support/test-config.js";

declare module "vitest" {
  export interface ProvidedContext {
    fakeSlackUrl: string;
  }
}

/** Starts the fake Slack on loopback (in Node) for the Worker under test to call. */
export default async function setup(project: TestProject) {
  const fake = createFakeSlack({ token: SLACK_TEST_TOKEN, channels: Object.values(TEAM_CHANNELS) });
  const server = serve({ fetch: fake.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  project.provide("fakeSlackUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
