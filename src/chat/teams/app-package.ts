import { zipSync, zlibSync } from "fflate";
import { GRAMMAR } from "../../domain/chat-command.js";

/** The Teams app manifest's schema version Herald's package is written for. */
export const MANIFEST_VERSION = "1.17";

export interface PackageOptions {
  /** The bot's Microsoft app id (TEAMS_APP_ID). */
  appId: string;
  /** Where Herald is served (its host name), for the manifest's valid domains and links. */
  host: string;
  version?: string;
}

/**
 * The Teams app package, ready to upload (Teams admin center, or Apps → Manage your apps → Upload):
 * `manifest.json` with the bot (in teams, chats and personal scope), its command list (the first
 * ten of Herald's grammar, as Teams shows at most ten), and the "Add to incident log" message
 * action; and the two icons Teams requires (192×192 colour, 32×32 white outline on transparent).
 */
export function teamsAppPackage(options: PackageOptions): { manifest: Record<string, unknown>; zip: Uint8Array } {
  const site = `https://${options.host}`;
  const commands = GRAMMAR.slice(0, 10).map((line) => ({ title: line.usage.split(" ")[0]!.slice(0, 32), description: line.what.slice(0, 128) }));
  const unique = commands.filter((c, i) => commands.findIndex((d) => d.title === c.title) === i);
  const manifest = {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: options.version ?? "1.0.0",
    id: options.appId,
    developer: { name: "Herald", websiteUrl: site, privacyUrl: `${site}/console`, termsOfUseUrl: `${site}/console` },
    name: { short: "Herald", full: "Herald: incident chatops" },
    description: {
      short: "Your incident process in Teams: declare, roles, log, status page, post-mortem.",
      full: "Herald runs the team's incident process in chat: declare an incident, take the Incident Lead and Scribe roles, keep the scribe's log (also in PagerDuty), announce to users, publish to the status page, resolve, and draft the post-mortem and runbook from the record.",
    },
    icons: { color: "color.png", outline: "outline.png" },
    accentColor: "#B3261E",
    bots: [
      {
        botId: options.appId,
        scopes: ["team", "groupChat", "personal"],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [{ scopes: ["team", "groupChat", "personal"], commands: unique }],
      },
    ],
    composeExtensions: [
      {
        botId: options.appId,
        commands: [
          {
            id: "add_to_incident_log",
            type: "action",
            title: "Add to incident log",
            description: "File this message in the incident's log (start it with decision:, action:… to file it so)",
            context: ["message"],
            fetchTask: false,
            parameters: [{ name: "note", title: "Note", description: "The message's text" }],
          },
        ],
      },
    ],
    permissions: ["identity", "messageTeamMembers"],
    validDomains: [options.host],
    // Resource-specific consent (manifest 1.12 and later): whoever adds the app to a team grants these
    // for that team alone (a chat's member, for that chat), with no tenant-wide admin consent. Reading
    // the team's channel messages, and a group chat's, lets a post whose answer was lost be found
    // instead of posted twice; making channels serves `incident_room: channel`. `resource` does
    // nothing for RSC but must be there.
    webApplicationInfo: { id: options.appId, resource: `api://${options.host}/${options.appId}` },
    authorization: {
      permissions: {
        resourceSpecific: [
          { name: "ChannelMessage.Read.Group", type: "Application" },
          { name: "Channel.Create.Group", type: "Application" },
          { name: "ChatMessage.Read.Chat", type: "Application" },
        ],
      },
    },
  };
  const files = {
    "manifest.json": new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    "color.png": icon(192, [0xb3, 0x26, 0x1e, 0xff], [0xff, 0xff, 0xff, 0xff]),
    "outline.png": icon(32, [0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff]),
  };
  return { manifest, zip: zipSync(files, { level: 9, mtime: new Date("2026-01-01T00:00:00Z") }) };
}

/** A square PNG: the background, and a bell-like mark (a dome and a clapper) in the foreground colour. */
function icon(size: number, background: number[], foreground: number[]): Uint8Array {
  const rows: number[] = [];
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    rows.push(0); // filter: none
    for (let x = 0; x < size; x++) {
      const dx = (x + 0.5 - c) / size;
      const dy = (y + 0.5 - c) / size;
      const dome = dy < 0.18 && dy > -0.32 && Math.abs(dx) < 0.12 + Math.max(0, dy + 0.1) * 0.6 && dx * dx + (dy + 0.05) ** 2 < 0.09;
      const rim = Math.abs(dy - 0.2) < 0.04 && Math.abs(dx) < 0.34;
      const clapper = dx * dx + (dy - 0.3) ** 2 < 0.0036;
      rows.push(...(dome || rim || clapper ? foreground : background));
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const body = new Uint8Array(4 + data.length);
    body.set(new TextEncoder().encode(type), 0);
    body.set(data, 4);
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(body, 4);
    view.setUint32(8 + data.length, crc32(body));
    return out;
  };
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, size);
  hv.setUint32(4, size);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", zlibSync(new Uint8Array(rows))), chunk("IEND", new Uint8Array())];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    png.set(p, offset);
    offset += p.length;
  }
  return png;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
