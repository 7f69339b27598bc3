import { Hono } from "hono";
import { createFakePagerDuty } from "./fake-pagerduty.js";
import { createFakeSlack } from "./fake-slack.js";
import { PAGERDUTY_FROM, PAGERDUTY_TOKEN, SLACK_TEST_TOKEN, TEAM_CHANNELS } from "./test-config.js";

/** The fake vendors on one loopback server: Slack under /slack, PagerDuty under /pagerduty. */
export function createFakeVendors() {
  const slack = createFakeSlack({ token: SLACK_TEST_TOKEN, channels: Object.values(TEAM_CHANNELS) });
  const pagerduty = createFakePagerDuty({ token: PAGERDUTY_TOKEN, from: PAGERDUTY_FROM });
  const app = new Hono();
  app.route("/slack", slack.app);
  app.route("/pagerduty", pagerduty.app);
  return {
    app,
    slack,
    pagerduty,
    reset() {
      slack.reset();
      pagerduty.reset();
    },
  };
}
