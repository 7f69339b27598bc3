const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CG][A-Z0-9]{2,}$/;
const PEOPLE_AND_CHANNELS = /<([@#])([^|>\s]+)(?:\|([^>]*))?>/g;

/**
 * Herald's chat markup as Slack mrkdwn. They are nearly one: only people and channels differ, as a
 * Slack mention or channel link needs Slack's own ids. Anyone else is named, any other channel is
 * `#name`. User text arrives escaped, so it never becomes a mention or a link here.
 */
export function toSlackMrkdwn(text: string): string {
  const signs = text.includes("&#") ? text.replace(FORMATTING_ENTITIES, (e) => FORMATTING_SIGNS[e]!) : text;
  if (!signs.includes("<@") && !signs.includes("<#")) return signs;
  return signs.replace(PEOPLE_AND_CHANNELS, (_token, sigil: string, id: string, label: string | undefined) => {
    if (sigil === "@") return SLACK_USER.test(id) ? `<@${id}>` : label || id.replace(/^@/, "");
    if (SLACK_CHANNEL.test(id)) return `<#${id}>`;
    return `#${label || id.replace(/^[a-z]+:/, "")}`;
  });
}

// The markup escapes formatting signs in user text; Slack has no escape for them, so they go as
// they were typed (Slack formats them as it would anyway). `&`, `<` and `>` stay escaped.
const FORMATTING_ENTITIES = /&#(?:42|95|126|96);/g;
const FORMATTING_SIGNS: Record<string, string> = { "&#42;": "*", "&#95;": "_", "&#126;": "~", "&#96;": "`" };
