import { describe, expect, it } from "vitest";
import { parseInteraction, parseSlackEvent, parseSlashCommand } from "../../src/chat/slack/parse.js";
import { signSlackBody, verifySlackRequest } from "../../src/chat/slack/verify.js";
import { MalformedBodyError, SignatureError } from "../../src/errors.js";
import { events, interactions, signingVectors, slashCommands } from "../support/slack-fixtures.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const at = (seconds: number) => ({ now: () => new Date(seconds * 1000) });

describe("verifySlackRequest", () => {
  for (const [file, vector] of Object.entries(signingVectors)) {
    it(`accepts ${file} with the clock pinned to its timestamp, and refuses its negative cases`, async () => {
      const clock = at(Number(vector.timestamp));
      const request = { body: bytes(vector.body), signature: vector.expected_signature, timestamp: vector.timestamp, signingSecret: vector.signing_secret, clock };
      await expect(verifySlackRequest(request)).resolves.toBeUndefined();
      expect(await signSlackBody(vector.body, vector.timestamp, vector.signing_secret)).toBe(vector.expected_signature);
      for (const negative of vector.negative_cases) {
        const changed = {
          ...request,
          signingSecret: negative.signing_secret ?? request.signingSecret,
          body: bytes(negative.body ?? vector.body + (negative.body_suffix ?? "")),
        };
        if (changed.signingSecret === request.signingSecret && negative.body === undefined && negative.body_suffix === undefined) {
          // The stale case: the right signature, read 6 minutes later.
          changed.clock = at(Number(vector.timestamp) + 6 * 60);
        }
        await expect(verifySlackRequest(changed), negative.name).rejects.toThrow(SignatureError);
      }
    });
  }

  it("takes a timestamp up to five minutes either side, and says what is wrong otherwise", async () => {
    const vector = signingVectors["signing_official_example.json"]!;
    const base = { body: bytes(vector.body), signature: vector.expected_signature, timestamp: vector.timestamp, signingSecret: vector.signing_secret };
    const ts = Number(vector.timestamp);
    await expect(verifySlackRequest({ ...base, clock: at(ts + 300) })).resolves.toBeUndefined();
    await expect(verifySlackRequest({ ...base, clock: at(ts - 300) })).resolves.toBeUndefined();
    await expect(verifySlackRequest({ ...base, clock: at(ts + 301) })).rejects.toThrow(/more than 5 minutes/);
    await expect(verifySlackRequest({ ...base, timestamp: null, clock: at(ts) })).rejects.toThrow(/missing X-Slack-Request-Timestamp/);
    await expect(verifySlackRequest({ ...base, signature: undefined, clock: at(ts) })).rejects.toThrow(/missing X-Slack-Signature/);
    await expect(verifySlackRequest({ ...base, signature: "v1=abc", clock: at(ts) })).rejects.toThrow(/not a v0 signature/);
    await expect(verifySlackRequest({ ...base, signingSecret: "", clock: at(ts) })).rejects.toThrow(/no Slack signing secret/);
  });
});

describe("parseSlashCommand", () => {
  it("reads the signed example body and the docs' example", () => {
    expect(parseSlashCommand(slashCommands.webhookCollect)).toMatchObject({
      kind: "command",
      command: { team_id: "T1DC2JH3J", channel_id: "G8PSS9T3V", channel_name: "foobar", user_id: "U2CERLKJA", user_name: "roadrunner", command: "/webhook-collect", text: "", response_url: "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN" },
    });
    expect(parseSlashCommand(slashCommands.weather)).toMatchObject({ kind: "command", command: { command: "/weather", text: "94070", user_name: "Steve" } });
  });

  it("recognises Slack's ssl_check probe and refuses a body that is no command", () => {
    expect(parseSlashCommand("ssl_check=1&token=x")).toEqual({ kind: "ssl_check" });
    expect(() => parseSlashCommand("team_id=T1&text=hi")).toThrow(MalformedBodyError);
    expect(() => parseSlashCommand("team_id=T1&text=hi")).toThrow(/slash command: channel_id/);
  });
});

describe("parseInteraction", () => {
  const kinds: Record<string, string> = {
    "interactivity_block_actions.java-slack-sdk.json": "block_actions",
    "interactivity_block_actions_docs-example.java-slack-sdk.json": "block_actions",
    "interactivity_message_action.java-slack-sdk.json": "message_action",
    "interactivity_shortcut.java-slack-sdk.json": "shortcut",
    "interactivity_view_submission.java-slack-sdk.json": "view_submission",
  };
  for (const [file, payload] of Object.entries(interactions)) {
    it(`parses ${file} sent as payload=<urlencoded JSON>`, () => {
      const parsed = parseInteraction(`payload=${encodeURIComponent(payload)}`);
      expect(parsed.kind).toBe(kinds[file]);
      expect(parsed.raw).toEqual(JSON.parse(payload));
    });
  }

  it("reads what Herald needs from each kind", () => {
    const message = parseInteraction(`payload=${encodeURIComponent(interactions["interactivity_message_action.java-slack-sdk.json"]!)}`);
    expect(message).toMatchObject({ kind: "message_action", payload: { callback_id: "test-message-action", channel: { id: "C123" }, message: { text: "<@U234> test" } } });
    const view = parseInteraction(`payload=${encodeURIComponent(interactions["interactivity_view_submission.java-slack-sdk.json"]!)}`);
    expect(view.kind === "view_submission" && Object.keys(view.payload.view.state.values)).toEqual(["request-block"]);
    const actions = parseInteraction(`payload=${encodeURIComponent(interactions["interactivity_block_actions_docs-example.java-slack-sdk.json"]!)}`);
    expect(actions.kind === "block_actions" && actions.payload.user.username).toBe("jtorrance");
  });

  it("keeps an unknown type as unsupported, and refuses a missing or broken payload", () => {
    expect(parseInteraction(`payload=${encodeURIComponent('{"type":"workflow_step_edit"}')}`)).toMatchObject({ kind: "unsupported", type: "workflow_step_edit" });
    expect(() => parseInteraction("nothing=here")).toThrow(/no payload field/);
    expect(() => parseInteraction("payload=%7Bnope")).toThrow(/payload is not valid JSON/);
    expect(() => parseInteraction(`payload=${encodeURIComponent('{"type":"block_actions","user":{"id":"U1"},"actions":[]}')}`)).toThrow(/block_actions: actions/);
  });
});

describe("parseSlackEvent", () => {
  it("answers every url_verification fixture with its challenge", () => {
    for (const file of ["url_verification.docs-example.json", "url_verification.python-slack-events-api.json", "url_verification.slack-ruby-client.json"]) {
      expect(parseSlackEvent(events[file]!), file).toEqual({ kind: "url_verification", challenge: JSON.parse(events[file]!).challenge });
    }
    expect(parseSlackEvent(events["url_verification.python-slack-events-api.json"]!)).toEqual({ kind: "url_verification", challenge: "valid_challenge_token" });
  });

  it("reads app_mention and reaction_added events", () => {
    expect(parseSlackEvent(events["event_callback_app_mention.slack-go.json"]!)).toMatchObject({
      kind: "app_mention",
      eventId: "TvBP7LRED7",
      event: { user: "AAAAAAAAA", text: "<@EEEEEEEEE> hello world", channel: "TTTTTTTTT" },
    });
    expect(parseSlackEvent(events["event_callback_reaction_added.python-slack-events-api.json"]!)).toMatchObject({
      kind: "reaction_added",
      eventId: null,
      event: { reaction: "grinning", item: { channel: "D2AQCJCQ2", ts: "1477958101.000004" } },
    });
  });

  it("keeps other events as unsupported and refuses malformed bodies", () => {
    expect(parseSlackEvent('{"type":"event_callback","event_id":"Ev1","event":{"type":"channel_created"}}')).toMatchObject({ kind: "unsupported", type: "channel_created", eventId: "Ev1" });
    expect(parseSlackEvent('{"type":"app_rate_limited"}')).toMatchObject({ kind: "unsupported", type: "app_rate_limited" });
    expect(() => parseSlackEvent("{")).toThrow(/body is not valid JSON/);
    expect(() => parseSlackEvent('{"type":"url_verification"}')).toThrow(/url_verification: challenge/);
  });
});
