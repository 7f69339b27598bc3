import { describe, expect, it } from "vitest";
import { roomForAnotherTurn, withinBudget } from "../../src/pipeline/query-budget.js";

const spent = (used: number, limit = 50) => ({ used: () => used, limit });

describe("an invocation's query budget", () => {
  it("takes on an item while it and the run's last queries fit", () => {
    expect(withinBudget(spent(32))).toBe(true);
    expect(withinBudget(spent(33))).toBe(false);
    expect(withinBudget(undefined)).toBe(true);
  });

  it("starts another turn only when its reads and then one item still fit", () => {
    // 28 used: an item alone fits, but not after the lease, the deliveries' and the effects' pages.
    expect(withinBudget(spent(28))).toBe(true);
    expect(roomForAnotherTurn(spent(28))).toBe(false);
    expect(roomForAnotherTurn(spent(27))).toBe(true);
    // Within the turn then started, its first item fits.
    expect(withinBudget(spent(27 + 5))).toBe(true);
    expect(roomForAnotherTurn(undefined)).toBe(true);
  });

  it("keeps to the subrequests too", () => {
    expect(roomForAnotherTurn({ ...spent(0), subrequests: { used: () => 46, limit: 50 } })).toBe(false);
    expect(roomForAnotherTurn({ ...spent(0), subrequests: { used: () => 45, limit: 50 } })).toBe(true);
  });
});
