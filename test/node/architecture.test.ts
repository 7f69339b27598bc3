import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function imports(dir: string): { file: string; from: string }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file))
    .flatMap((file) =>
      [...readFileSync(join(dir, file), "utf8").matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => ({ file: join(dir, file), from: m[1]! })),
    );
}

/** The platform folders under src/chat (slack, console, and any added later). */
const platformFolders = readdirSync("src/chat").filter((entry) => statSync(join("src/chat", entry)).isDirectory());

describe("the architecture", () => {
  it("keeps the domain free of vendors and runtimes: it imports only itself and the configuration types", () => {
    expect(imports("src/domain").length).toBeGreaterThan(5);
    const outside = imports("src/domain").filter(({ from }) => !from.startsWith("./") && from !== "../config/schema.js");
    expect(outside).toEqual([]);
  });

  it("keeps the domain, pipeline and effects free of platform folders, vendor folders and SDKs, and runtime APIs", () => {
    expect(platformFolders).toEqual(expect.arrayContaining(["console", "slack"]));
    const forbidden = [
      ...platformFolders.map((folder) => new RegExp(`/chat/${folder}/`)),
      /\/(pagerduty|github|node|worker|store)\//,
      /^(node:|cloudflare:|@slack\/|@octokit\/|@microsoft\/|@hono\/node-server|better-sqlite3|hono)/,
    ];
    const core = ["src/domain", "src/pipeline", "src/effects"].flatMap(imports);
    expect(core.length).toBeGreaterThan(40);
    expect(core.filter(({ from }) => forbidden.some((f) => f.test(from)))).toEqual([]);
  });

  it("keeps vendor SDKs in their own folders", () => {
    const vendors = [
      { pkg: "@slack/", home: "src/chat/slack" },
      { pkg: "better-sqlite3", home: "src/store/sqlite-" },
      { pkg: "@hono/node-server", home: "src/node" },
      { pkg: "@octokit/", home: "src/github" },
      // zod by name only (src/validation/zod.ts): its namespace would bring 64 languages into the Worker.
      { pkg: "zod", home: "src/validation/zod.ts" },
    ];
    const strays = imports("src").filter(({ file, from }) => vendors.some((v) => from.startsWith(v.pkg) && !file.startsWith(v.home)));
    expect(strays).toEqual([]);
  });

  it("keeps each platform's folder to itself: no platform imports another", () => {
    const crossing = platformFolders.flatMap((folder) =>
      imports(join("src/chat", folder)).filter(({ from }) => platformFolders.some((other) => other !== folder && from.includes(`/${other}/`))),
    );
    expect(crossing).toEqual([]);
  });
});
