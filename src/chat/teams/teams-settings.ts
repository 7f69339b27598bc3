import type { Config } from "../../config/schema.js";

/** herald.yaml's `teams` section, with its defaults. */
export type TeamsSettings = NonNullable<Config["teams"]>;

export const DEFAULT_TEAMS_SETTINGS: TeamsSettings = { incident_room: "thread", team_id: null, incidents_channel: null, workflows: {} };
