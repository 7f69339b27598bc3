import { toBase64 } from "../../src/chat/teams/verify-outgoing-webhook.js";
import { toTestConfig } from "./test-config.js";

export const TEAMS_APP_ID = "00000000-0000-0000-0000-00000000b07e";
export const TEAMS_BOT = `28:${TEAMS_APP_ID}`;
export const TEAMS_TENANT_ID = "11111111-2222-3333-4444-555555555555";
export const TEAMS_TEAM_ID = "team-0001";
/** The team's channels, as Teams names conversations. */
export const TEAMS_CHANNELS = {
  team: "19:modernisation-platform@thread.tacv2",
  ask: "19:ask-modernisation-platform@thread.tacv2",
  update: "19:modernisation-platform-update@thread.tacv2",
  incidents: "19:incidents@thread.tacv2",
};
/** The outgoing webhook's security token, as Teams shows it (base64 of 32 bytes). */
export const OUTGOING_WEBHOOK_SECRET = toBase64(new TextEncoder().encode("herald-test-outgoing-webhook-key"));

export const ADA = { id: "29:1ada-aad-object", name: "Ada Lovelace" };
export const GRACE = { id: "29:1grace-aad-object", name: "Grace Hopper" };

/** The Teams variables, pointed at the fake Microsoft services. */
export function teamsEnv(vendorsUrl: string): Record<string, string> {
  return {
    TEAMS_APP_ID,
    TEAMS_APP_PASSWORD: "herald-test-teams-password",
    TEAMS_TENANT_ID,
    TEAMS_OUTGOING_WEBHOOK_SECRET: OUTGOING_WEBHOOK_SECRET,
    TEAMS_OPENID_METADATA_URL: `${vendorsUrl}/teams/openid`,
    TEAMS_LOGIN_URL: `${vendorsUrl}/teams/login`,
    TEAMS_GRAPH_API_URL: `${vendorsUrl}/teams/graph`,
  };
}

/** The shipped herald.yaml for a Teams team: its channels, and where incident rooms go. */
export function teamsConfig(heraldYaml: string, room: "thread" | "channel" = "thread", workflows: Record<string, string> = {}): string {
  const workflowLines = Object.entries(workflows).map(([key, url]) => `    ${key}: ${url}`).join("\n");
  return (
    toTestConfig(heraldYaml, { slackChannels: false })
      .replace("team: modernisation-platform", `team: "${TEAMS_CHANNELS.team}"`)
      .replace("ask: ask-modernisation-platform", `ask: "${TEAMS_CHANNELS.ask}"`)
      .replace("update: modernisation-platform-update", `update: "${TEAMS_CHANNELS.update}"`) +
    `\nteams:\n  incident_room: ${room}\n  team_id: ${TEAMS_TEAM_ID}\n  incidents_channel: "${TEAMS_CHANNELS.incidents}"\n` +
    (workflowLines ? `  workflows:\n${workflowLines}\n` : "")
  );
}

let counter = 0;

/** A message activity as Teams sends it to the bot: `<at>Herald</at> …` with its mention entity. */
export function messageActivity(
  vendorsUrl: string,
  text: string,
  options: { from?: { id: string; name: string }; conversation?: string; mentions?: { id: string; name: string }[]; value?: unknown; id?: string } = {},
) {
  const conversation = options.conversation ?? TEAMS_CHANNELS.team;
  const mentions = options.mentions ?? [];
  const said = options.value !== undefined ? "" : `<at>Herald</at> ${mentions.reduce((t, m) => t.replace(`@${m.name}`, `<at>${m.name}</at>`), text)}`;
  return {
    type: "message",
    id: options.id ?? `1732${String(++counter).padStart(9, "0")}`,
    timestamp: new Date().toISOString(),
    serviceUrl: `${vendorsUrl}/teams/connector/`,
    channelId: "msteams",
    from: options.from ?? ADA,
    conversation: { id: conversation, conversationType: "channel", tenantId: TEAMS_TENANT_ID },
    recipient: { id: TEAMS_BOT, name: "Herald" },
    text: said,
    ...(options.value !== undefined ? { value: options.value } : {}),
    entities:
      options.value !== undefined
        ? []
        : [
            { type: "mention", text: "<at>Herald</at>", mentioned: { id: TEAMS_BOT, name: "Herald" } },
            ...mentions.map((m) => ({ type: "mention", text: `<at>${m.name}</at>`, mentioned: m })),
          ],
    channelData: { team: { id: TEAMS_TEAM_ID }, channel: { id: conversation.split(";")[0] }, tenant: { id: TEAMS_TENANT_ID } },
  };
}

/** A Bot Framework token from the fake, right or wrong in one way. */
export async function botToken(
  vendorsUrl: string,
  claims: { serviceUrl: string; audience?: string; issuer?: string; expiresIn?: number; unknownKey?: boolean; key?: "next" | "webchat" },
): Promise<string> {
  const response = await fetch(`${vendorsUrl}/teams/__token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(claims) });
  return ((await response.json()) as { token: string }).token;
}

/** The activity as the bot receives it: JSON with a Bearer token. */
export async function fromBot(vendorsUrl: string, activity: Record<string, unknown>, claims: Partial<Parameters<typeof botToken>[1]> = {}): Promise<RequestInit> {
  const token = await botToken(vendorsUrl, { serviceUrl: String(activity.serviceUrl), ...claims });
  return { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(activity) };
}

/** The activity as an outgoing webhook sends it: signed with HMAC over the raw body. */
export async function fromWebhook(body: string, secret = OUTGOING_WEBHOOK_SECRET): Promise<RequestInit> {
  const key = await crypto.subtle.importKey("raw", Uint8Array.from(atob(secret), (c) => c.charCodeAt(0)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return { method: "POST", headers: { "content-type": "application/json", authorization: `HMAC ${toBase64(mac)}` }, body };
}
