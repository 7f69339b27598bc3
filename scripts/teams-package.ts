// npm run teams:package -- --host herald.example.com   (TEAMS_APP_ID from the environment)
// Writes teams-app/herald-teams.zip: the Teams app package to upload.
import { mkdirSync, writeFileSync } from "node:fs";
import { teamsAppPackage } from "../src/chat/teams/app-package.js";

const args = process.argv.slice(2);
const host = args[args.indexOf("--host") + 1] && args.includes("--host") ? args[args.indexOf("--host") + 1]! : process.env.HERALD_HOST;
const appId = process.env.TEAMS_APP_ID;
if (!appId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId)) {
  console.error("Set TEAMS_APP_ID to the bot's Microsoft app id (a GUID, from the Azure Bot's Configuration page).");
  process.exit(1);
}
if (!host || !/^[a-z0-9.-]+(:\d+)?$/i.test(host)) {
  console.error("Say where Herald is served: npm run teams:package -- --host herald.example.com (or set HERALD_HOST).");
  process.exit(1);
}
const { zip } = teamsAppPackage({ appId, host });
mkdirSync("teams-app", { recursive: true });
writeFileSync("teams-app/herald-teams.zip", zip);
console.log(`teams-app/herald-teams.zip: manifest.json (bot ${appId}, ${host}), color.png, outline.png`);
