import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import type { Person } from "../../domain/incident.js";
import { fromAnotherSite, sameSecret } from "../../routes/api.js";

/** Who may use the console: with HERALD_API_TOKEN, whoever signs in with it; without, this machine only (Node). */
export interface ConsoleAccess {
  token: string | null;
  /** Node only: tells a request from this machine; the Worker has none and, without a token, serves nobody. */
  isLoopback?: (c: Context) => boolean;
}

export interface ConsoleViewer {
  /** Null until the person has said who they are. */
  person: Person | null;
  /** The token every form sends back, matched against its cookie (cross-site requests carry neither). */
  csrf: string;
}

export type ConsoleEnv = { Variables: { viewer: ConsoleViewer } };

const NAME_COOKIE = "herald_name";
const TOKEN_COOKIE = "herald_token";
const CSRF_COOKIE = "herald_csrf";
/** A display name: letters of any script, digits, `.`, `_`, `-`; it is how others name you (`lead @ada`). */
export const NAME_PATTERN = /^[\p{L}\p{N}._-]{1,32}$/u;

/** Problems the console answers with a page rather than JSON. */
export class ConsoleRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Guards /console: off or loopback-only as configured, signed in (or sent to sign in), and every
 * POST same-origin with the form's CSRF token matching its cookie.
 */
export function consoleAccess(access: ConsoleAccess): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (access.token === null && !access.isLoopback) {
      throw new ConsoleRefusal(403, "The console is off: set HERALD_API_TOKEN to serve it here, then sign in with it.");
    }
    if (access.token === null && !access.isLoopback!(c)) {
      throw new ConsoleRefusal(403, "Without HERALD_API_TOKEN the console answers this machine only.");
    }
    let csrf = getCookie(c, CSRF_COOKIE);
    if (!csrf || !/^[0-9a-f-]{36}$/.test(csrf)) {
      csrf = crypto.randomUUID();
      setCookie(c, CSRF_COOKIE, csrf, cookieOptions(c));
    }
    if (c.req.method === "POST") await checkSameOrigin(c, csrf);
    const signedIn = access.token === null || sameSecret(getCookie(c, TOKEN_COOKIE) ?? "", access.token);
    const name = getCookie(c, NAME_COOKIE);
    const person = signedIn && name && NAME_PATTERN.test(name) ? { id: name, name } : null;
    c.set("viewer", { person, csrf });
    const signingIn = c.req.path === "/console/sign-in" || c.req.path.startsWith("/console/assets/");
    if (!person && !signingIn) return c.redirect(`/console/sign-in?next=${encodeURIComponent(c.req.path)}`, 303);
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Frame-Options", "DENY");
    c.header(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  };
}

/** Checks the sign-in form; the cookies it sets, or what is wrong. */
export async function signIn(c: Context, access: ConsoleAccess, form: { name: string; token: string }): Promise<string | null> {
  if (!NAME_PATTERN.test(form.name)) return "Choose a name of 1 to 32 letters, digits, '.', '_' or '-' (no spaces): it is how others name you, as in lead @ada.";
  if (access.token !== null) {
    if (!sameSecret(form.token, access.token)) return "That is not Herald's API token (HERALD_API_TOKEN).";
    setCookie(c, TOKEN_COOKIE, form.token, cookieOptions(c));
  }
  setCookie(c, NAME_COOKIE, form.name, cookieOptions(c));
  return null;
}

export function signOut(c: Context): void {
  deleteCookie(c, TOKEN_COOKIE, { path: "/console" });
  deleteCookie(c, NAME_COOKIE, { path: "/console" });
}

function cookieOptions(c: Context) {
  return {
    path: "/console",
    httpOnly: true,
    sameSite: "Strict" as const,
    secure: new URL(c.req.url).protocol === "https:",
    maxAge: 60 * 60 * 24 * 30,
  };
}

async function checkSameOrigin(c: Context, csrf: string): Promise<void> {
  if (fromAnotherSite(c)) throw new ConsoleRefusal(403, "This form was sent from another site.");
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
    throw new ConsoleRefusal(415, "The console takes forms (application/x-www-form-urlencoded).");
  }
  const body = await c.req.parseBody();
  if (body._csrf !== csrf) throw new ConsoleRefusal(403, "This form has expired or came from elsewhere: reload the page and try again.");
}
