// Real Slack payloads and signing vectors (test/fixtures/SOURCES.md), as raw text.
import appMention from "../fixtures/slack/event_callback_app_mention.slack-go.json?raw";
import reactionAdded from "../fixtures/slack/event_callback_reaction_added.python-slack-events-api.json?raw";
import blockActions from "../fixtures/slack/interactivity_block_actions.java-slack-sdk.json?raw";
import blockActionsDocs from "../fixtures/slack/interactivity_block_actions_docs-example.java-slack-sdk.json?raw";
import messageAction from "../fixtures/slack/interactivity_message_action.java-slack-sdk.json?raw";
import shortcut from "../fixtures/slack/interactivity_shortcut.java-slack-sdk.json?raw";
import viewSubmission from "../fixtures/slack/interactivity_view_submission.java-slack-sdk.json?raw";
import officialExample from "../fixtures/slack/signing_official_example.json?raw";
import goVector from "../fixtures/slack/signing_vector.slack-go.json?raw";
import rubyVector from "../fixtures/slack/signing_vector.slack-ruby-client.json?raw";
import webhookCollect from "../fixtures/slack/slash_command_webhook-collect.signing-example.form.txt?raw";
import weather from "../fixtures/slack/slash_command_weather.docs-example.form.txt?raw";
import urlVerificationDocs from "../fixtures/slack/url_verification.docs-example.json?raw";
import urlVerificationPython from "../fixtures/slack/url_verification.python-slack-events-api.json?raw";
import urlVerificationRuby from "../fixtures/slack/url_verification.slack-ruby-client.json?raw";

export interface SigningVector {
  signing_secret: string;
  timestamp: string;
  body: string;
  expected_signature: string;
  negative_cases: { name: string; signing_secret?: string; body?: string; body_suffix?: string }[];
}

export const signingVectors: Record<string, SigningVector> = {
  "signing_official_example.json": JSON.parse(officialExample),
  "signing_vector.slack-go.json": JSON.parse(goVector),
  "signing_vector.slack-ruby-client.json": JSON.parse(rubyVector),
};

export const slashCommands = { webhookCollect, weather };
export const interactions: Record<string, string> = {
  "interactivity_block_actions.java-slack-sdk.json": blockActions,
  "interactivity_block_actions_docs-example.java-slack-sdk.json": blockActionsDocs,
  "interactivity_message_action.java-slack-sdk.json": messageAction,
  "interactivity_shortcut.java-slack-sdk.json": shortcut,
  "interactivity_view_submission.java-slack-sdk.json": viewSubmission,
};
export const events: Record<string, string> = {
  "event_callback_app_mention.slack-go.json": appMention,
  "event_callback_reaction_added.python-slack-events-api.json": reactionAdded,
  "url_verification.docs-example.json": urlVerificationDocs,
  "url_verification.python-slack-events-api.json": urlVerificationPython,
  "url_verification.slack-ruby-client.json": urlVerificationRuby,
};
