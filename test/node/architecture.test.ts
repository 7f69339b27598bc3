import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function imports(dir: string): { file: string; from: string }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .flatMap((file) =>
      [...readFileSync(join(dir, file), "utf8").matchAll(/from\s+"([^"]+)"/g)].map((m) => ({ file, from: m[1]! })),
    );
}

describe("the architecture", () => {
  it("keeps the domain free of vendors and runtimes: it imports only itself and the configuration types", () => {
    expect(imports("src/domain").length).toBeGreaterThan(5);
    const outside = imports("src/domain").filter(({ from }) => !from.startsWith("./") && from !== "../config/schema.js");
    expect(outside).toEqual([]);
  });

  it("keeps vendor SDKs in their own folders", () => {
    const vendors = [
      { pkg: "@slack/", home: "src/chat/slack" },
      { pkg: "better-sqlite3", home: "src/store/sqlite-store.ts" },
      { pkg: "@hono/node-server", home: "src/node" },
    ];
    const strays = imports("src").filter(({ file, from }) =>
      vendors.some((v) => from.startsWith(v.pkg) && !join("src", file).startsWith(v.home)),
    );
    expect(strays).toEqual([]);
  });
});
