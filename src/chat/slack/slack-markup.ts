const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CG][A-Z0-9]{2,}$/;
const PEOPLE_AND_CHANNELS = /<([@#])([^|>\s]+)(?:\|([^>]*))?>/g;

/**
 * Herald's chat markup as Slack mrkdwn. They are nearly one: only people and channels differ, as a
 * Slack mention or channel link needs Slack's own ids. Anyone else is named, any other channel is
 * `#name`. User text arrives escaped, so it never becomes a mention or a link here.
 */
export function toSlackMrkdwn(text: string): string {
  if (!text.includes("<@") && !text.includes("<#")) return text;
  return text.replace(PEOPLE_AND_CHANNELS, (_token, sigil: string, id: string, label: string | undefined) => {
    if (sigil === "@") return SLACK_USER.test(id) ? `<@${id}>` : label || id.replace(/^@/, "");
    if (SLACK_CHANNEL.test(id)) return `<#${id}>`;
    return `#${label || id.replace(/^[a-z]+:/, "")}`;
  });
}
