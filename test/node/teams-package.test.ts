import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { teamsAppPackage } from "../../src/chat/teams/app-package.js";

const APP_ID = "00000000-0000-0000-0000-00000000b07e";

describe("npm run teams:package", () => {
  it("builds the Teams app package: the manifest with the bot, its commands and the message action, and the two icons", () => {
    const { zip } = teamsAppPackage({ appId: APP_ID, host: "herald.example.com" });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(["color.png", "manifest.json", "outline.png"]);
    const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"]));
    expect(manifest).toMatchObject({ manifestVersion: "1.17", id: APP_ID, icons: { color: "color.png", outline: "outline.png" }, validDomains: ["herald.example.com"] });
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    const [bot] = manifest.bots;
    expect(bot).toMatchObject({ botId: APP_ID, scopes: ["team", "groupChat", "personal"] });
    const commands = bot.commandLists[0].commands;
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.length).toBeLessThanOrEqual(10);
    for (const c of commands) {
      expect(c.title.length).toBeLessThanOrEqual(32);
      expect(c.description.length).toBeLessThanOrEqual(128);
    }
    expect(commands.map((c: { title: string }) => c.title)).toContain("declare");
    // The team grants reading its channel messages and making channels when the app is added, a chat reading its messages (resource-specific consent).
    expect(manifest.webApplicationInfo).toEqual({ id: APP_ID, resource: `api://herald.example.com/${APP_ID}` });
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([
      { name: "ChannelMessage.Read.Group", type: "Application" },
      { name: "Channel.Create.Group", type: "Application" },
      { name: "ChatMessage.Read.Chat", type: "Application" },
    ]);
    expect(manifest.composeExtensions[0].commands[0]).toMatchObject({ id: "add_to_incident_log", type: "action", context: ["message"] });
    // PNGs of the sizes Teams requires: 192×192 colour, 32×32 outline.
    const size = (png: Uint8Array) => {
      expect([...png.slice(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
      const view = new DataView(png.buffer, png.byteOffset);
      return [view.getUint32(16), view.getUint32(20)];
    };
    expect(size(files["color.png"]!)).toEqual([192, 192]);
    expect(size(files["outline.png"]!)).toEqual([32, 32]);
  });
});
