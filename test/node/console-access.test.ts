import { describe, expect, it } from "vitest";
import { sameSecret } from "../../src/routes/api.js";
import { ConsoleClient, visibleText } from "../support/console-client.js";
import { nodeHerald } from "./node-herald.js";

function appWith(options: { token?: string; loopback?: boolean }) {
  const env: Record<string, string> = options.token ? { HERALD_API_TOKEN: options.token } : {};
  const { herald } = nodeHerald({ env, isLoopback: options.loopback === undefined ? undefined : () => options.loopback! });
  const app = herald.app({ schedule: () => {} });
  return (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));
}

describe("who may use the console", () => {
  it("without a token, on this machine: asks a name once and keeps it in a cookie", async () => {
    const request = appWith({ loopback: true });
    const ada = new ConsoleClient(request);
    const form = visibleText(await ada.page("/console/sign-in"));
    expect(form).toContain("Your name");
    expect(form).not.toContain("API token");
    const response = await ada.post("/console/sign-in", { name: "ada", next: "/console/rooms" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/rooms");
    const cookies = response.headers.getSetCookie().join("\n");
    expect(cookies).toMatch(/herald_name=ada; Max-Age=\d+; Path=\/console; HttpOnly; SameSite=Strict/);
    expect(visibleText(await ada.page("/console"))).toContain("ada Sign out");
    // Somewhere to go back to after signing in, but never another site.
    const elsewhere = await ada.post("/console/sign-in", { name: "ada", next: "https://evil.example/" });
    expect(elsewhere.headers.get("location")).toBe("/console");
  });

  it("without a token, from another machine: refused", async () => {
    const response = await appWith({ loopback: false })("/console");
    expect(response.status).toBe(403);
    expect(visibleText(await response.text())).toContain("Without HERALD_API_TOKEN the console answers this machine only.");
  });

  it("without a token and no way to tell who is local (the Worker): off, and says how to turn it on", async () => {
    const response = await appWith({})("/console/sign-in");
    expect(response.status).toBe(403);
    expect(visibleText(await response.text())).toContain("The console is off: set HERALD_API_TOKEN");
  });

  it("with a token: the sign-in form keeps it in an HttpOnly, SameSite=Strict cookie, and never shows it", async () => {
    const request = appWith({ token: "s3cret-token", loopback: false });
    const client = new ConsoleClient(request);
    expect(visibleText(await client.page("/console/sign-in"))).toContain("API token");
    const response = await client.post("/console/sign-in", { name: "ada", token: "s3cret-token" });
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie().join("\n")).toMatch(/herald_token=s3cret-token; Max-Age=\d+; Path=\/console; HttpOnly; SameSite=Strict/);
    const home = await client.page("/console");
    expect(home).not.toContain("s3cret-token");
    const signedOut = await client.post("/console/sign-out", {});
    expect(signedOut.headers.get("location")).toBe("/console/sign-in");
    expect((await client.get("/console")).status).toBe(303);
  });

  it("refuses a form that is not a form, and one that is too large", async () => {
    const request = appWith({ loopback: true });
    const ada = new ConsoleClient(request);
    await ada.page("/console/sign-in");
    await ada.post("/console/sign-in", { name: "ada" });
    const json = await ada.post("/console/declare", {}, { "content-type": "application/json" });
    expect(json.status).toBe(415);
    const huge = await ada.post("/console/declare", { description: "x".repeat(70_000) });
    expect(huge.status).toBe(413);
  });

  it("signs in with exactly the token: not a prefix, not a longer one, not another of the same length", async () => {
    expect(sameSecret("s3cret-token", "s3cret-token")).toBe(true);
    for (const wrong of ["", "s3cret", "s3cret-token ", "s3cret-token-2", "s3cret-tokeN", "ş3cret-token"]) expect(sameSecret(wrong, "s3cret-token"), wrong).toBe(false);
    // A byte beyond the secret's length counts too (a NUL past the end is not "nothing").
    expect(sameSecret("s3cret-token\u0000", "s3cret-token")).toBe(false);
    const request = appWith({ token: "s3cret-token", loopback: false });
    const client = new ConsoleClient(request);
    await client.page("/console/sign-in");
    const refused = await client.post("/console/sign-in", { name: "ada", token: "s3cret-token-2" });
    expect(refused.status).toBe(400);
    expect(visibleText(await refused.text())).toContain("That is not Herald's API token");
  });

  it("reads a form's fields as a browser encodes them: spaces as +, escapes, repeated fields, any script", async () => {
    const { herald, store } = nodeHerald({ env: {}, isLoopback: () => true });
    const app = herald.app({ schedule: () => {} });
    const ada = new ConsoleClient((path, init) => Promise.resolve(app.request(path, init)));
    await ada.page("/console/sign-in");
    await ada.post("/console/sign-in", { name: "Zoë" });
    const title = "Zoë's DB + cache: 50% & rising = ünïcode 障害";
    const declared = await ada.post("/console/declare", { title, description: "a+b=c; 100%", service: "networking", priority: "P3", notify: ["update", "ask"] });
    expect(declared.status).toBe(303);
    await herald.pipeline();
    const [incident] = await store.listIncidents();
    expect(incident).toMatchObject({ title, declaredBy: { name: "Zoë" } });
  });
});
