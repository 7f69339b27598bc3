import { ConfigError } from "./errors.js";

/** What Herald reads from the environment (secrets live only here, never in files or logs). */
export interface Settings {
  pagerdutyWebhookSecrets: string[];
  apiToken: string | null;
  slack: { botToken: string; apiUrl: string | undefined } | null;
  slackSigningSecret: string | null;
  pagerduty: { token: string; from: string; apiUrl: string | undefined } | null;
  github: { token: string; repo: string | undefined; apiUrl: string | undefined } | null;
}

export type EnvVars = Record<string, unknown>;

function text(env: EnvVars, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Reads and checks the environment; a bad value throws ConfigError naming the variable. */
export function readSettings(env: EnvVars): Settings {
  const secrets = (text(env, "PAGERDUTY_WEBHOOK_SECRETS") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const slackApiUrl = text(env, "SLACK_API_URL");
  if (slackApiUrl && !/^https?:\/\/.+\/$/.test(slackApiUrl)) {
    throw new ConfigError("SLACK_API_URL: must be an http(s) URL ending in /, such as https://slack.com/api/");
  }
  const botToken = text(env, "SLACK_BOT_TOKEN");
  const pagerdutyToken = text(env, "PAGERDUTY_TOKEN");
  const pagerdutyFrom = text(env, "PAGERDUTY_FROM");
  if (pagerdutyToken && !pagerdutyFrom) {
    throw new ConfigError("PAGERDUTY_FROM: set it to the email of a PagerDuty user; PagerDuty requires it with PAGERDUTY_TOKEN");
  }
  const pagerdutyApiUrl = text(env, "PAGERDUTY_API_URL");
  const githubToken = text(env, "GITHUB_TOKEN");
  const githubRepo = text(env, "GITHUB_REPO");
  if (githubRepo && !/^[^/\s]+\/[^/\s]+$/.test(githubRepo)) throw new ConfigError("GITHUB_REPO: must be owner/name");
  if (pagerdutyApiUrl && !/^https?:\/\/[^\s]+$/.test(pagerdutyApiUrl)) {
    throw new ConfigError("PAGERDUTY_API_URL: must be an http(s) URL such as https://api.pagerduty.com");
  }
  return {
    pagerdutyWebhookSecrets: secrets,
    apiToken: text(env, "HERALD_API_TOKEN") ?? null,
    slack: botToken ? { botToken, apiUrl: slackApiUrl } : null,
    slackSigningSecret: text(env, "SLACK_SIGNING_SECRET") ?? null,
    github: githubToken ? { token: githubToken, repo: githubRepo, apiUrl: text(env, "GITHUB_API_URL") } : null,
    pagerduty: pagerdutyToken && pagerdutyFrom ? { token: pagerdutyToken, from: pagerdutyFrom, apiUrl: pagerdutyApiUrl } : null,
  };
}
