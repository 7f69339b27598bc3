import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { createFakeVendors } from "../support/fake-vendors.js";

declare module "vitest" {
  export interface ProvidedContext {
    fakeVendorsUrl: string;
  }
}

/** Starts the fake vendors on loopback (in Node) for the Worker under test to call. */
export default async function setup(project: TestProject) {
  const fake = await createFakeVendors();
  const server = serve({ fetch: fake.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  project.provide("fakeVendorsUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
