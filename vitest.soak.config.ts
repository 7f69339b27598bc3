import { defineConfig } from "vitest/config";

// `npm run soak`: the long runs (crashes, thousands of fuzz cases) that `npm test` keeps short.
export default defineConfig({
  test: {
    name: "soak",
    environment: "node",
    include: ["test/soak/**/*.soak.ts"],
    setupFiles: ["test/support/log-watch.ts"],
    testTimeout: 600_000,
  },
});
