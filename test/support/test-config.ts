/** Slack channel ids the fake Slack knows as the team's standing channels. */
export const TEAM_CHANNELS = { team: "C0TEAM0001", ask: "C0ASK00001", update: "C0UPDATE01" };

/**
 * The shipped herald.yaml with PagerDuty's ids and the status page filled in, and the channels pointed
 * at Slack channel ids, as a Slack team would set it (or left as the names the console uses).
 */
export function toTestConfig(heraldYaml: string, options: { slackChannels?: boolean } = {}): string {
  const channels =
    options.slackChannels === false
      ? heraldYaml
      : heraldYaml
          .replace("team: modernisation-platform", `team: ${TEAM_CHANNELS.team}`)
          .replace("ask: ask-modernisation-platform", `ask: ${TEAM_CHANNELS.ask}`)
          .replace("update: modernisation-platform-update", `update: ${TEAM_CHANNELS.update}`);
  return channels
    .replace("    name: Networking - Modernisation Platform\n", "    name: Networking - Modernisation Platform\n    pagerduty_service_id: PNETWRK\n")
    .replace("  - name: P2\n", "  - name: P2\n    pagerduty_priority_id: PPRIOP2\n")
    .replace("status_page:\n  id: null\n", "status_page:\n  id: PSTATUS1\n")
    .replace("  url: null\n", "  url: https://status.example.com/\n");
}

export const SLACK_TEST_TOKEN = "test-bot-token";
export const WEBHOOK_SECRET = "herald-test-webhook-secret";
export const API_TOKEN = "herald-test-api-token";
export const SLACK_SIGNING_SECRET = "herald-test-slack-signing-secret";
export const PAGERDUTY_TOKEN = "herald-test-pagerduty-token";
export const PAGERDUTY_FROM = "herald@example.com";
export const GITHUB_TOKEN = "herald-test-github-token";
export const GITHUB_REPO = "platform/incidents";

/** The environment both runtimes' tests give Herald (Slack and PagerDuty pointed at the fakes at `vendorsUrl`). */
export function testEnv(heraldYaml: string, vendorsUrl: string): Record<string, string> {
  return {
    HERALD_CONFIG_YAML: toTestConfig(heraldYaml),
    PAGERDUTY_WEBHOOK_SECRETS: `old-rotated-secret,${WEBHOOK_SECRET}`,
    HERALD_API_TOKEN: API_TOKEN,
    SLACK_BOT_TOKEN: SLACK_TEST_TOKEN,
    SLACK_SIGNING_SECRET,
    SLACK_API_URL: `${vendorsUrl}/slack/api/`,
    PAGERDUTY_TOKEN,
    PAGERDUTY_FROM,
    PAGERDUTY_API_URL: `${vendorsUrl}/pagerduty`,
    GITHUB_TOKEN,
    GITHUB_REPO,
    GITHUB_API_URL: `${vendorsUrl}/github`,
  };
}
