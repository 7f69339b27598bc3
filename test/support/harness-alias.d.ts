// Type of the `#harness` alias: vitest resolves it to test/node/harness.ts or test/workers/harness.ts
// depending on the project (see vitest.config.ts).
import type { Harness } from "./harness.js";
export declare const harness: Harness;
