import { describe, expect, it } from "vitest";
import { verifySlackRequest } from "../../src/chat/slack/verify.js";
import { webCryptoHmac } from "../../src/crypto/hmac.js";
import { nodeHmac } from "../../src/node/node-hmac.js";
import { verifyPagerDutySignature } from "../../src/pagerduty/verify.js";
import { goPagerDutyVector } from "../support/fixtures.js";
import { signingVectors } from "../support/slack-fixtures.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("Node's HMAC", () => {
  it("gives Web Crypto's result", async () => {
    for (const text of ["", "a", goPagerDutyVector.body]) {
      expect(Buffer.from(await nodeHmac("k", bytes(text)))).toEqual(Buffer.from(await webCryptoHmac("k", bytes(text))));
    }
  });

  it("verifies the vendors' vectors and refuses their negative cases", async () => {
    const { body, vector } = goPagerDutyVector;
    for (const c of vector.cases.filter((c) => c.name === "valid" || c.name === "mismatch")) {
      const check = verifyPagerDutySignature(bytes(body), c.header, [vector.secret], nodeHmac);
      await (c.name === "valid" ? expect(check).resolves.toBeUndefined() : expect(check).rejects.toThrow(/matches no configured secret/));
    }
    for (const v of Object.values(signingVectors)) {
      const request = { body: bytes(v.body), signature: v.expected_signature, timestamp: v.timestamp, signingSecret: v.signing_secret, clock: { now: () => new Date(Number(v.timestamp) * 1000) }, hmac: nodeHmac };
      await expect(verifySlackRequest(request)).resolves.toBeUndefined();
      await expect(verifySlackRequest({ ...request, body: bytes(`${v.body}x`) })).rejects.toThrow(/does not match/);
    }
  });
});
