import { API_TOKEN } from "./test-config.js";

type Request = (path: string, init?: RequestInit) => Promise<Response>;

/**
 * A person using the web console through its HTTP interface, as a browser would: cookies kept,
 * forms sent with the page's CSRF token and one-time id, redirects followed by hand.
 */
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly request: Request) {}

  /** Signs in under this name (with the API token, as the tests run Herald with one). */
  static async signIn(request: Request, name: string, token = API_TOKEN): Promise<ConsoleClient> {
    const client = new ConsoleClient(request);
    await client.get("/console/sign-in");
    const response = await client.post("/console/sign-in", { name, token, next: "/console" });
    if (response.status !== 303) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
    return client;
  }

  get csrf(): string {
    return this.cookies.get("herald_csrf") ?? "";
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(await this.request(path, { headers: { cookie: this.cookieHeader(), ...headers } }));
  }

  /** GETs a page and returns its HTML (throws on anything but 200). */
  async page(path: string): Promise<string> {
    const response = await this.get(path);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return text;
  }

  /** Sends a form as a browser does, with the CSRF token and a one-time id unless given. */
  async post(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams();
    body.set("_csrf", this.csrf);
    body.set("_once", crypto.randomUUID());
    for (const [key, value] of Object.entries(fields)) {
      if (Array.isArray(value)) {
        body.delete(key);
        value.forEach((v) => body.append(key, v));
      } else body.set(key, value);
    }
    return this.keep(
      await this.request(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookieHeader(), ...headers },
        body: body.toString(),
        redirect: "manual",
      }),
    );
  }

  /** Types a command in a room's command box; returns where the console sent the browser. */
  async say(room: string, text: string): Promise<string> {
    const response = await this.post(`/console/rooms/${encodeURIComponent(room)}/say`, { text });
    if (response.status !== 303) throw new Error(`say '${text}' answered ${response.status}: ${await response.text()}`);
    return response.headers.get("location") ?? "";
  }

  /** The cookies a browser would send with the next request (the session and the CSRF token). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim()));
      if (expired || value === "") this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.trim());
    }
    return response;
  }
}

/** The visible text of an HTML page or fragment: tags dropped, entities read, white space folded. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
