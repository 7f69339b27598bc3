// Real Microsoft Teams payloads (test/fixtures/SOURCES.md), as raw text.
import channelMessage from "../fixtures/teams/channel_message_with_mention.msteams-docs.json?raw";
import incomingWebhookCard from "../fixtures/teams/incoming_webhook_adaptive_card.msteams-docs.json?raw";
import outgoingWebhookCard from "../fixtures/teams/outgoing_webhook_response_adaptive_card.msteams-docs.json?raw";

export const teamsFixtures = { channelMessage, incomingWebhookCard, outgoingWebhookCard };
