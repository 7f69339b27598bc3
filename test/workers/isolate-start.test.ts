import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { ConfigError } from "../../src/errors.js";
import { defaultConfigText } from "../../src/generated/default-config.js";
import { templates } from "../../src/generated/templates.js";
import { rehearse } from "../../src/rehearse.js";
import { createRenderer, type Renderer } from "../../src/render/renderer.js";
import { isolateHeralds } from "../../src/worker/isolate-heralds.js";

describe("the isolate's Heralds", () => {
  it("builds one for the bindings the isolate starts with, and serves requests that bring the same values in another object with it", () => {
    const built: object[] = [];
    const heralds = isolateHeralds((bindings: object) => (built.push(bindings), { for: bindings }));
    const db = {};
    const atStart = { DB: db, SLACK_BOT_TOKEN: "xoxb-1" };
    const started = heralds.start(atStart);
    expect(heralds.of({ DB: db, SLACK_BOT_TOKEN: "xoxb-1" })).toBe(started);
    expect(heralds.of(atStart)).toBe(started);
    expect(built).toEqual([atStart]);
  });

  it("builds another for bindings that differ in any value, or that have a value more or less", () => {
    const db = {};
    const heralds = isolateHeralds((bindings: object) => ({ for: bindings }));
    const started = heralds.start({ DB: db, SLACK_BOT_TOKEN: "xoxb-1" });
    const others = [
      { DB: {}, SLACK_BOT_TOKEN: "xoxb-1" },
      { DB: db, SLACK_BOT_TOKEN: "xoxb-2" },
      { DB: db, SLACK_BOT_TOKEN: "xoxb-1", HERALD_API_TOKEN: "t" },
      { DB: db },
      { DB: db, SLACK_BOT_TOKEN: "xoxb-1", HERALD_API_TOKEN: undefined },
    ];
    for (const bindings of others) {
      const herald = heralds.of(bindings);
      expect(herald).not.toBe(started);
      expect(herald).toEqual({ for: bindings });
      // Asked again with the same object: the same Herald.
      expect(heralds.of(bindings)).toBe(herald);
    }
  });

  it("leaves it to each request when it cannot be built at the start, and builds it then", () => {
    let fail = true;
    const heralds = isolateHeralds((bindings: object) => {
      if (fail) throw new ConfigError("channels: is required");
      return { for: bindings };
    });
    const bindings = { DB: {} };
    expect(() => heralds.start(bindings)).toThrow(ConfigError);
    expect(() => heralds.of({ ...bindings })).toThrow("channels: is required");
    fail = false;
    expect(heralds.of({ ...bindings })).toEqual({ for: bindings });
  });
});

describe("the rehearsal at the isolate's start", () => {
  it("runs a made-up page through the shipped herald.yaml's rules and every template, in memory", () => {
    const config = loadConfig(defaultConfigText, { source: "herald.yaml", env: {}, templateNames: Object.keys(templates) });
    const renderer = createRenderer(templates, { timeZone: config.timezone });
    const rendered: string[] = [];
    const counting: Renderer = { names: renderer.names, render: (name, data) => (rendered.push(name), renderer.render(name, data)) };
    rehearse(config, counting);
    expect(rendered.sort()).toEqual(Object.keys(templates).sort());
  });
});
