import { describe, expect, it } from "vitest";
import { countAsk, createAskCounts, watchAsks, type Asks } from "../../src/node/shared-asks.js";
import { until } from "../support/until.js";

describe("asks counted in shared memory", () => {
  it("hands over the asks counted since the last look, together, with their kinds", async () => {
    const counts = createAskCounts();
    countAsk(counts, "before the watch", false);
    const taken: Asks[] = [];
    const watch = watchAsks(counts, (asks) => taken.push(asks), 20);
    try {
      countAsk(counts, "pagerduty delivery", true);
      countAsk(counts, "timers", false);
      countAsk(counts, "slack delivery", false);
      // The watch wakes after this turn and takes all three at once; the ask from before it is not its.
      await until("the asks to be taken", () => taken.length > 0, 2);
      expect(taken).toEqual([{ all: 3, urgent: 1, timers: 1 }]);
      countAsk(counts, "start", false);
      watch.takeNow();
      expect(taken.at(-1)).toEqual({ all: 1, urgent: 0, timers: 1 });
      // Nothing new: nothing handed over.
      watch.takeNow();
      expect(taken).toHaveLength(2);
      countAsk(counts, "sweep", false);
      await until("a later ask to be taken", () => taken.length === 3, 2);
      expect(taken.at(-1)).toEqual({ all: 1, urgent: 0, timers: 0 });
    } finally {
      watch.stop();
    }
  });

  it("reads right when a count wraps around", async () => {
    const counts = createAskCounts();
    counts[0] = 2 ** 31 - 1;
    counts[1] = 2 ** 31 - 1;
    const taken: Asks[] = [];
    const watch = watchAsks(counts, (asks) => taken.push(asks));
    countAsk(counts, "pagerduty delivery", true);
    countAsk(counts, "pagerduty delivery", true);
    watch.takeNow();
    watch.stop();
    expect(taken).toEqual([{ all: 2, urgent: 2, timers: 0 }]);
  });

  it("stops without an ask to end its wait, and takes nothing after", async () => {
    const counts = createAskCounts();
    const taken: Asks[] = [];
    const watch = watchAsks(counts, (asks) => taken.push(asks));
    watch.stop();
    countAsk(counts, "after the stop", false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(taken).toEqual([]);
  });
});
