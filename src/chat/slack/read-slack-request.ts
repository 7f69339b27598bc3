import type { Context } from "hono";
import { verifySlackRequest } from "./verify.js";
import { NotConfiguredError } from "../../errors.js";
import { readBody, requestHeader } from "../../routes/read-body.js";
import type { SlackRouteDeps } from "./slack-route-deps.js";

const decoder = new TextDecoder();

/** Reads a Slack request's body once its media type, size and signature check out; returns the text. */
export async function readSlackRequest(
  c: Context,
  deps: Pick<SlackRouteDeps, "signingSecret" | "clock" | "hmac">,
  expect: { mediaType: string; limitBytes: number },
): Promise<string> {
  if (!deps.signingSecret) throw new NotConfiguredError("Slack is not configured: set SLACK_SIGNING_SECRET");
  const body = await readBody(c, expect);
  await verifySlackRequest({
    body,
    signature: requestHeader(c, "x-slack-signature"),
    timestamp: requestHeader(c, "x-slack-request-timestamp"),
    signingSecret: deps.signingSecret,
    clock: deps.clock,
    hmac: deps.hmac,
  });
  return decoder.decode(body);
}
