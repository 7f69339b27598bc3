import type { Config } from "../../config/schema.js";

/** herald.yaml's `teams` section, with its defaults (see config/schema.ts). */
export type TeamsSettings = Config["teams"];
