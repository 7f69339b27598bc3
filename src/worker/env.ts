/** The Worker's bindings and secrets, typed once. */
export interface Env {
  DB: D1Database;
  PIPELINE_QUEUE?: Queue<PipelineMessage>;
  PAGERDUTY_WEBHOOK_SECRETS?: string;
  HERALD_API_TOKEN?: string;
  SLACK_BOT_TOKEN?: string;
  SLACK_SIGNING_SECRET?: string;
  SLACK_API_URL?: string;
  GITHUB_TOKEN?: string;
  GITHUB_REPO?: string;
  GITHUB_API_URL?: string;
  PAGERDUTY_TOKEN?: string;
  PAGERDUTY_FROM?: string;
  PAGERDUTY_API_URL?: string;
  TEAMS_APP_ID?: string;
  TEAMS_APP_PASSWORD?: string;
  TEAMS_TENANT_ID?: string;
  TEAMS_OUTGOING_WEBHOOK_SECRET?: string;
  TEAMS_OPENID_METADATA_URL?: string;
  TEAMS_LOGIN_URL?: string;
  TEAMS_GRAPH_API_URL?: string;
  /** D1 queries one invocation may make (50 on the free plan, the default; 1000 on Workers Paid). */
  HERALD_D1_QUERY_LIMIT?: string;
  /** Outbound calls one invocation may make (default 50, the free plan's subrequests; at least 10). */
  HERALD_SUBREQUEST_LIMIT?: string;
  /** herald.yaml's text, to override the one bundled at build time. */
  HERALD_CONFIG_YAML?: string;
}

export interface PipelineMessage {
  reason: string;
}
