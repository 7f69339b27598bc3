import { describe, expect, it } from "vitest";
import { messageParts } from "../../src/chat/message-parts.js";

describe("a message's neutral parts", () => {
  it("reads the heading, the text and the fields of a message, in order", () => {
    const summary = [
      ":rotating_light: *P2 incident: VPC peering is down*",
      "_Part of the platform is down_",
      "Nothing routes",
      "*Service:* Networking",
      "*Status:* triggered · triggered 29 Nov 2026 17:24 GMT",
      "This channel is where we manage the incident: `/incident lead me`.",
    ].join("\n");
    expect(messageParts(summary)).toEqual({
      icon: "rotating_light",
      heading: "*P2 incident: VPC peering is down*",
      blocks: [
        { kind: "text", markup: "_Part of the platform is down_\nNothing routes" },
        { kind: "fields", fields: [{ label: "Service", value: "Networking" }, { label: "Status", value: "triggered · triggered 29 Nov 2026 17:24 GMT" }] },
        { kind: "text", markup: "This channel is where we manage the incident: `/incident lead me`." },
      ],
    });
  });

  it("leaves a message without a headline as text", () => {
    expect(messageParts("You are now the Scribe.")).toEqual({ icon: null, heading: null, blocks: [{ kind: "text", markup: "You are now the Scribe." }] });
    expect(messageParts(":memo: *Status page: an update is pending*, ready for review:\n>We are investigating")).toEqual({
      icon: "memo",
      heading: "*Status page: an update is pending*, ready for review:",
      blocks: [{ kind: "text", markup: ">We are investigating" }],
    });
  });
});
