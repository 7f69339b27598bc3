// Sends a signed sample incident lifecycle to a running Herald (`npm start` in another terminal),
// then prints what Herald recorded. Usage: npm run demo [-- http://localhost:8787]
import { existsSync, readFileSync } from "node:fs";
import { localWebhookSecretPath, sqlitePath } from "../src/node/local-paths.js";
import { signPagerDutyBody } from "../src/pagerduty/verify.js";
import { SAMPLE_MINUTES, sampleLifecycle } from "./sample-lifecycle.js";

const base = (process.argv[2] ?? `http://localhost:${process.env.PORT ?? 8787}`).replace(/\/$/, "");

function webhookSecret(): string {
  const fromEnv = process.env.PAGERDUTY_WEBHOOK_SECRETS?.split(",")[0]?.trim();
  if (fromEnv) return fromEnv;
  const path = localWebhookSecretPath(sqlitePath(process.env));
  if (!existsSync(path)) {
    throw new Error(`no PAGERDUTY_WEBHOOK_SECRETS and no ${path}: start Herald first (npm start)`);
  }
  return readFileSync(path, "utf8").trim();
}

async function main(): Promise<void> {
  const secret = webhookSecret();
  const headers: Record<string, string> = {};
  if (process.env.HERALD_API_TOKEN) headers.authorization = `Bearer ${process.env.HERALD_API_TOKEN}`;
  let incidentId = "";
  // The story ends now: its events are dated over the minutes before, as PagerDuty would have sent
  // them, never in the future.
  for (const { eventType, body } of sampleLifecycle(new Date(Date.now() - SAMPLE_MINUTES * 60_000))) {
    incidentId ||= JSON.parse(body).event.data.id;
    const response = await fetch(`${base}/webhooks/pagerduty`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-pagerduty-signature": await signPagerDutyBody(body, secret) },
      body,
    });
    console.log(`${eventType.padEnd(22)} → ${response.status} ${await response.text()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const response = await fetch(`${base}/api/incidents/${incidentId}`, { headers });
  const detail = await response.json();
  console.log(`\nGET /api/incidents/${incidentId} → ${response.status}`);
  console.log(JSON.stringify(detail, null, 2));
  console.log(`\nAll incidents: ${base}/api/incidents`);
}

main().catch((error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
