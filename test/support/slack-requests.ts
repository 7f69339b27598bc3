import { signSlackBody } from "../../src/chat/slack/verify.js";
import { SLACK_SIGNING_SECRET } from "./test-config.js";

let trigger = 0;

/** A signed `/incident …` request as Slack sends it (form-encoded, escaped users). */
export async function slashCommand(
  text: string,
  options: { user?: string; userName?: string; channel?: string; timestamp?: number; secret?: string; responseUrl?: string } = {},
): Promise<RequestInit> {
  const body = new URLSearchParams({
    token: "legacy-fixed-value",
    team_id: "T0TEAM",
    team_domain: "platform",
    channel_id: options.channel ?? "C00000001",
    channel_name: "inc",
    user_id: options.user ?? "U0ADA0001",
    user_name: options.userName ?? "ada",
    command: "/incident",
    text,
    api_app_id: "A0HERALD",
    response_url: options.responseUrl ?? "https://hooks.slack.com/commands/T0TEAM/1/abc",
    trigger_id: `${Date.now()}.${++trigger}.abc`,
  }).toString();
  return signed(body, "application/x-www-form-urlencoded", options);
}

/** A signed request to a Slack route with the given body. */
export async function signed(
  body: string,
  contentType: string,
  options: { timestamp?: number; secret?: string } = {},
): Promise<RequestInit> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    method: "POST",
    headers: {
      "content-type": contentType,
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": await signSlackBody(body, timestamp, options.secret ?? SLACK_SIGNING_SECRET),
    },
    body,
  };
}
