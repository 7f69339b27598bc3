import type { Context } from "hono";
import { verifySlackRequest } from "../chat/slack/verify.js";
import { NotConfiguredError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { HmacSha256 } from "../crypto/hmac.js";
import { readBody, requestHeader } from "./read-body.js";

const decoder = new TextDecoder();

/** Reads a Slack request's body once its media type, size and signature check out; returns the text. */
export async function readSlackRequest(
  c: Context,
  options: { signingSecret: string | null; clock: Clock; mediaType: string; limitBytes: number; hmac?: HmacSha256 },
): Promise<string> {
  if (!options.signingSecret) throw new NotConfiguredError("Slack is not configured: set SLACK_SIGNING_SECRET");
  const body = await readBody(c, { mediaType: options.mediaType, limitBytes: options.limitBytes });
  await verifySlackRequest({
    body,
    signature: requestHeader(c, "x-slack-signature"),
    timestamp: requestHeader(c, "x-slack-request-timestamp"),
    signingSecret: options.signingSecret,
    clock: options.clock,
    hmac: options.hmac,
  });
  return decoder.decode(body);
}
