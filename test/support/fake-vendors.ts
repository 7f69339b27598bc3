import { Hono } from "hono";
import { createFakeGitHub } from "./fake-github.js";
import { createFakePagerDuty } from "./fake-pagerduty.js";
import { createFakeSlack } from "./fake-slack.js";
import { createFakeTeams } from "./fake-teams.js";
import { GITHUB_REPO, GITHUB_TOKEN, PAGERDUTY_FROM, PAGERDUTY_TOKEN, SLACK_TEST_TOKEN, TEAM_CHANNELS } from "./test-config.js";

/** The fake vendors on one loopback server: Slack, PagerDuty, GitHub and Microsoft Teams under their names. */
export async function createFakeVendors() {
  const slack = createFakeSlack({ token: SLACK_TEST_TOKEN, channels: Object.values(TEAM_CHANNELS) });
  const pagerduty = createFakePagerDuty({ token: PAGERDUTY_TOKEN, from: PAGERDUTY_FROM });
  const github = createFakeGitHub({ token: GITHUB_TOKEN, repo: GITHUB_REPO });
  const teams = await createFakeTeams();
  const app = new Hono();
  app.route("/slack", slack.app);
  app.route("/pagerduty", pagerduty.app);
  app.route("/github", github.app);
  app.route("/teams", teams.app);
  return {
    app,
    slack,
    pagerduty,
    github,
    teams,
    reset() {
      teams.reset();
      slack.reset();
      pagerduty.reset();
      github.reset();
    },
  };
}
