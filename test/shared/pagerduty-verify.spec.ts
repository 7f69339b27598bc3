import { describe, expect, it } from "vitest";
import { SignatureError } from "../../src/errors.js";
import { signPagerDutyBody, verifyPagerDutySignature } from "../../src/pagerduty/verify.js";
import { docsSignatureHeaderExample, goPagerDutyVector } from "../support/fixtures.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const { body, vector } = goPagerDutyVector;

describe("verifyPagerDutySignature", () => {
  it("accepts the go-pagerduty vector, keyed with the secret's own bytes", async () => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes(body)));
    expect(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")).toBe(vector.body_sha256);
    const valid = vector.cases.find((c) => c.name === "valid")!;
    await expect(verifyPagerDutySignature(bytes(body), valid.header, [vector.secret])).resolves.toBeUndefined();
  });

  it("refuses the vector's mismatching signature", async () => {
    const mismatch = vector.cases.find((c) => c.name === "mismatch")!;
    await expect(verifyPagerDutySignature(bytes(body), mismatch.header, [vector.secret])).rejects.toThrow(
      /matches no configured secret/,
    );
  });

  it("refuses an empty body and a missing header", async () => {
    const valid = vector.cases.find((c) => c.name === "valid")!;
    await expect(verifyPagerDutySignature(bytes(""), valid.header, [vector.secret])).rejects.toThrow(SignatureError);
    await expect(verifyPagerDutySignature(bytes(body), "", [vector.secret])).rejects.toThrow(/missing/);
    await expect(verifyPagerDutySignature(bytes(body), null, [vector.secret])).rejects.toThrow(/missing/);
  });

  it("refuses a tampered body and a wrong secret", async () => {
    const valid = vector.cases.find((c) => c.name === "valid")!;
    await expect(verifyPagerDutySignature(bytes(`${body} `), valid.header, [vector.secret])).rejects.toThrow(SignatureError);
    await expect(verifyPagerDutySignature(bytes(body), valid.header, ["another-secret"])).rejects.toThrow(SignatureError);
  });

  it("accepts any of several signatures against any of several secrets (rotation)", async () => {
    const valid = vector.cases.find((c) => c.name === "valid")!;
    const header = `v1=${"0".repeat(64)},${valid.header}`;
    await expect(verifyPagerDutySignature(bytes(body), header, ["new-secret", vector.secret])).resolves.toBeUndefined();
    const signedWithNew = await signPagerDutyBody(body, "new-secret");
    await expect(verifyPagerDutySignature(bytes(body), signedWithNew, [vector.secret, "new-secret"])).resolves.toBeUndefined();
  });

  it("reads the docs' two-signature header format and checks each signature", async () => {
    await expect(
      verifyPagerDutySignature(bytes(body), docsSignatureHeaderExample.header_value, [vector.secret]),
    ).rejects.toThrow(/matches no configured secret/);
    await expect(verifyPagerDutySignature(bytes(body), "v1=nothex", [vector.secret])).rejects.toThrow(/no v1 signature/);
  });

  it("refuses everything when no secret is configured", async () => {
    const valid = vector.cases.find((c) => c.name === "valid")!;
    await expect(verifyPagerDutySignature(bytes(body), valid.header, [])).rejects.toThrow(/no PagerDuty webhook secret/);
  });
});
