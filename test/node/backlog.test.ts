import { describe, expect, it } from "vitest";
import { Behind, type PageContext } from "../../src/chat/console/console-pages.js";
import type { Config } from "../../src/config/schema.js";
import type { Backlog } from "../../src/ports/store.js";
import { errorShape, readBacklog } from "../../src/effects/backlog.js";

const ctx = { viewer: { person: null, csrf: "x" }, config: { timezone: "Europe/London" } as Config, roomHref: () => null } satisfies PageContext;
const text = async (backlog: Backlog, now: string) => String(await Behind({ ctx, backlog, now })).replace(/<[^>]+>/g, " ").replace(/&#39;/g, "'").replace(/\s+/g, " ").trim();

describe("the console's word that Herald is behind", () => {
  it("counts past the most it looks at as 'at least', and says how long the longest waiting has been due", async () => {
    const said = await text(
      {
        most: 1000,
        deliveries: { waiting: 1000, oldestReceivedAt: "2026-12-05T14:01:00.000Z" },
        effects: { waiting: 1000, retrying: 812, dueSince: "2026-12-05T14:03:00.000Z", errors: [{ error: "chat.postMessage: HTTP 503", count: 812, lastAt: "2026-12-05T14:15:00.000Z" }] },
      },
      "2026-12-05T14:15:30.000Z",
    );
    expect(said).toBe(
      "Herald is behind At least 1,000 actions to do; of the next 1,000, 812 are being tried again after failing. The longest waiting has been due for 12 minutes (since 5 Dec 2026 14:03 GMT). " +
        "At least 1,000 deliveries are not yet on the record, the oldest received 5 Dec 2026 14:01 GMT. " +
        "chat.postMessage: HTTP 503 812 actions, the last tried 5 Dec 2026 14:15 GMT " +
        "Herald keeps trying, each room's posts in order; what it gives up on is listed below, to be tried again. GET /api/backlog counts further, up to 1,000.",
    );
  });

  it("counts one of each in the singular, and leaves out what is not there", async () => {
    const said = await text(
      { most: 1000, deliveries: { waiting: 1, oldestReceivedAt: "2026-06-05T14:01:00.000Z" }, effects: { waiting: 1, retrying: 0, dueSince: null, errors: [] } },
      "2026-06-05T14:02:00.000Z",
    );
    expect(said).toBe(
      "Herald is behind 1 action to do. 1 delivery is not yet on the record, the oldest received 5 Jun 2026 15:01 BST. " +
        "Herald keeps trying, each room's posts in order; what it gives up on is listed below, to be tried again. GET /api/backlog counts further, up to 1,000.",
    );
  });
});

describe("when Herald is behind", () => {
  const now = new Date("2026-12-05T14:00:00.000Z");
  const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
  const backlog = (deliveries: Backlog["deliveries"], effects: Partial<Backlog["effects"]>): Backlog => ({
    most: 1000,
    deliveries,
    effects: { waiting: 0, retrying: 0, dueSince: null, errors: [], ...effects },
  });
  const behind = async (b: Backlog) => (await readBacklog({ backlog: async (most, at) => (expect([most, at]).toEqual([1000, now.toISOString()]), b) }, now)).behind;

  it("is so once an action is tried again, or work has been due or waiting for more than 30 s; busy is not behind", async () => {
    const none = { waiting: 0, oldestReceivedAt: null };
    expect(await behind(backlog(none, {}))).toBe(false);
    expect(await behind(backlog({ waiting: 500, oldestReceivedAt: ago(30) }, { waiting: 900, dueSince: ago(30) }))).toBe(false);
    expect(await behind(backlog(none, { waiting: 1, retrying: 1, dueSince: null }))).toBe(true);
    expect(await behind(backlog(none, { waiting: 1, dueSince: ago(31) }))).toBe(true);
    expect(await behind(backlog({ waiting: 1, oldestReceivedAt: ago(31) }, {}))).toBe(true);
  });
});

describe("what the actions tried again fail with", () => {
  const now = new Date("2026-12-05T14:00:00.000Z");
  const at = (m: number) => new Date(now.getTime() - (60 - m) * 60_000).toISOString();
  const errorsOf = async (errors: Backlog["effects"]["errors"]) =>
    (await readBacklog({ backlog: async (most) => ({ most, deliveries: { waiting: 0, oldestReceivedAt: null }, effects: { waiting: 9, retrying: 9, dueSince: null, errors } }) }, now)).effects.errors;

  it("counts together the errors of one outage that differ only in an id, told by the latest, and keeps the three most frequent", async () => {
    expect(
      await errorsOf([
        { error: "chat.postMessage: Slack answered HTTP 503", count: 2, lastAt: at(10) },
        { error: "PagerDuty POST /incidents/PT4KHLK/notes: HTTP 502", count: 1, lastAt: at(20) },
        { error: "PagerDuty POST /incidents/PABCDEF/notes: HTTP 502", count: 1, lastAt: at(40) },
        { error: "PagerDuty POST /incidents/Q0RIJJZL24RC6W/notes: HTTP 502", count: 1, lastAt: at(30) },
        { error: "chat.postMessage: Slack answered HTTP 502", count: 1, lastAt: at(50) },
        { error: "chat.postMessage: the call timed out", count: 1, lastAt: at(5) },
      ]),
    ).toEqual([
      { error: "PagerDuty POST /incidents/PABCDEF/notes: HTTP 502", count: 3, lastAt: at(40) },
      { error: "chat.postMessage: Slack answered HTTP 503", count: 2, lastAt: at(10) },
      { error: "chat.postMessage: Slack answered HTTP 502", count: 1, lastAt: at(50) },
    ]);
    expect(await errorsOf([])).toEqual([]);
  });

  it("masks ids, times, addresses and long numbers, and keeps statuses and words", () => {
    const alike = (a: string, b: string) => expect(errorShape(a)).toBe(errorShape(b));
    const apart = (a: string, b: string) => expect(errorShape(a)).not.toBe(errorShape(b));
    alike("PagerDuty PUT /incidents/PT4KHLK: HTTP 503 upstream", "PagerDuty PUT /incidents/PGRVUAB: HTTP 503 upstream");
    alike("conversations.invite C0123ABCD: ratelimited", "conversations.invite C09XYZ1: ratelimited");
    alike("connect ECONNREFUSED 127.0.0.1:4000", "connect ECONNREFUSED 10.0.0.7:443");
    alike("Bot Connector /v3/conversations/19:abc1@thread.tacv2/activities: HTTP 500", "Bot Connector /v3/conversations/19:ffe9@thread.tacv2/activities: HTTP 500");
    alike("retry after 2026-12-05T14:00:00.000Z", "retry after 2026-12-05T14:09:30.500Z");
    apart("PagerDuty PUT /incidents/PT4KHLK: HTTP 503", "PagerDuty PUT /incidents/PT4KHLK: HTTP 502");
    apart("chat.postMessage: HTTP 503", "pins.add: HTTP 503");
    apart("connect ECONNREFUSED 127.0.0.1:4000", "connect ETIMEDOUT 127.0.0.1:4000");
    expect(errorShape("GitHub create issue: HTTP 500: Server Error")).toBe("GitHub create issue: HTTP 500: Server Error");
  });
});
