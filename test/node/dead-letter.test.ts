import { describe, expect, it } from "vitest";
import { deadLetterExcerpt } from "../../src/effects/dead-letter.js";

describe("what a dead letter was to do", () => {
  it("quotes the content a person would post or make by hand, as text", () => {
    expect(deadLetterExcerpt({ kind: "create_channel", name: "inc-7-disk-full" })).toBe("#inc-7-disk-full");
    expect(deadLetterExcerpt({ kind: "post_message", to: "incident", template: "t", text: "*Lead:* <@U1|ada>\n&lt;b&gt; done" })).toBe("Lead: @ada <b> done");
    expect(deadLetterExcerpt({ kind: "pagerduty_note", content: "Rolled back\n the deploy" })).toBe("Rolled back the deploy");
    expect(deadLetterExcerpt({ kind: "github_issue", title: "Follow-up: alerts", body: "…", labels: [] })).toBe("Follow-up: alerts");
    // What is rendered from the incident as it stands when the action runs has nothing to quote.
    expect(deadLetterExcerpt({ kind: "update_announcements" })).toBeNull();
    expect(deadLetterExcerpt({ kind: "publish_document", document: "postmortem" })).toBeNull();
  });

  it("names the people an invitation was for: by name where known, else by id", () => {
    expect(deadLetterExcerpt({ kind: "invite", userIds: ["U1", "U2"], names: { U1: "Ada Lovelace" } })).toBe("Ada Lovelace, U2");
    // Queued before invitations carried names.
    expect(deadLetterExcerpt({ kind: "invite", userIds: ["U1"] })).toBe("U1");
    expect(deadLetterExcerpt({ kind: "invite_assignees", pagerdutyUserIds: ["PADA", "PBOB"], names: { PBOB: "Bob" } })).toBe("PagerDuty user PADA, Bob");
  });

  it("cuts a long text at 200 characters, never between the halves of a character", () => {
    const cut = deadLetterExcerpt({ kind: "set_topic", topic: `${"a".repeat(198)}😀 and more` })!;
    expect(cut).toBe(`${"a".repeat(198)}…`);
    expect(deadLetterExcerpt({ kind: "set_topic", topic: "x".repeat(200) })).toBe("x".repeat(200));
    expect(deadLetterExcerpt({ kind: "set_topic", topic: "x".repeat(201) })!.length).toBe(200);
  });

  it("does not quote a reply only its asker was to see", () => {
    const to = { replyUrl: "https://hooks.slack.com/commands/T1/2/x", channel: "C1" };
    expect(deadLetterExcerpt({ kind: "post_message", to: { ...to, visibility: "requester" }, template: "t", text: "just for you" })).toBeNull();
    expect(deadLetterExcerpt({ kind: "post_message", to: { ...to, visibility: "channel" }, template: "t", text: "for all" })).toBe("for all");
  });
});
