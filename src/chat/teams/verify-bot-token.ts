import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";
import { HeraldError, SignatureError } from "../../errors.js";
import type { Clock } from "../../ports/clock.js";

/** Bot Framework's token issuer for messages from Teams (Bot Connector authentication). */
const ISSUER = "https://api.botframework.com";
/** The clock skew Microsoft allows for. */
const CLOCK_SKEW_SECONDS = 300;
/** Keys are fetched again after a day, or sooner for an unknown key id (at most once a minute). */
const KEYS_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const UNKNOWN_KEY_COOLDOWN_MS = 60 * 1000;

export interface BotTokenVerifierOptions {
  /** The bot's Microsoft app id: the token's audience. */
  appId: string;
  /** Bot Framework's OpenID metadata (its `jwks_uri` lists the signing keys). */
  openIdMetadataUrl: string;
  clock: Clock;
}

type EndorsedKey = JWK & { kid?: string; endorsements?: string[] };

/**
 * Verifies the `Authorization: Bearer` token on an activity as Microsoft requires: RS256 with a key
 * from Bot Framework's OpenID metadata (endorsed for the activity's channel), issuer, audience = the
 * app id, not expired (5 minutes' skew), and its `serviceurl` claim equal to the activity's
 * serviceUrl. Throws a SignatureError (401) saying which check failed.
 */
export function createBotTokenVerifier(options: BotTokenVerifierOptions) {
  let keys: { at: number; byKid: Map<string, EndorsedKey> } | null = null;
  let loading: Promise<void> | null = null;
  let unknownRefreshAt = -Infinity;

  async function load(): Promise<void> {
    const json = async (url: string) => {
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new HeraldError("keys_unavailable", 503, `Bot Framework's signing keys cannot be fetched now: ${(error as Error).message}`);
      }
      if (!response.ok) throw new HeraldError("keys_unavailable", 503, `Bot Framework's signing keys cannot be fetched now: HTTP ${response.status} from ${url}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const metadata = await json(options.openIdMetadataUrl);
    if (typeof metadata.jwks_uri !== "string") throw new HeraldError("keys_unavailable", 503, "Bot Framework's OpenID metadata has no jwks_uri");
    const set = await json(metadata.jwks_uri);
    const list = Array.isArray(set.keys) ? (set.keys as EndorsedKey[]) : [];
    keys = { at: options.clock.now().getTime(), byKid: new Map(list.filter((k) => typeof k.kid === "string").map((k) => [k.kid!, k])) };
  }

  async function refresh(): Promise<void> {
    loading ??= load().finally(() => (loading = null));
    await loading;
  }

  async function keyFor(kid: string): Promise<EndorsedKey | null> {
    const now = options.clock.now().getTime();
    if (!keys || now - keys.at > KEYS_MAX_AGE_MS) await refresh();
    // Keys rotate: an unknown key id has the keys fetched again (not more than once a minute, so
    // tokens with made-up key ids cannot make Herald fetch on every request).
    if (!keys!.byKid.has(kid) && now - unknownRefreshAt > UNKNOWN_KEY_COOLDOWN_MS) {
      unknownRefreshAt = now;
      await refresh();
    }
    return keys!.byKid.get(kid) ?? null;
  }

  return async function verify(authorization: string | undefined, activity: { serviceUrl: string; channelId: string }): Promise<void> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (!token) throw new SignatureError("missing Authorization: Bearer token");
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new SignatureError("the token is not a JWT");
    }
    if (header.alg !== "RS256" || typeof header.kid !== "string") throw new SignatureError("the token must be RS256 with a key id");
    const jwk = await keyFor(header.kid);
    if (!jwk) throw new SignatureError(`the token's key ${header.kid} is not one of Bot Framework's signing keys`);
    if (Array.isArray(jwk.endorsements) && !jwk.endorsements.includes(activity.channelId)) {
      throw new SignatureError(`the signing key is not endorsed for channel ${activity.channelId}`);
    }
    let payload: Record<string, unknown>;
    try {
      const key = await importJWK({ ...jwk, alg: "RS256" }, "RS256");
      ({ payload } = await jwtVerify(token, key, {
        issuer: ISSUER,
        audience: options.appId,
        algorithms: ["RS256"],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: options.clock.now(),
      }));
    } catch (error) {
      throw new SignatureError(`the token does not verify: ${(error as Error).message}`);
    }
    const claimed = typeof payload.serviceurl === "string" ? payload.serviceurl : null;
    if (!claimed || sameServiceUrl(claimed, activity.serviceUrl) === false) {
      throw new SignatureError("the token's serviceurl claim does not match the activity's serviceUrl");
    }
  };
}

function sameServiceUrl(a: string, b: string): boolean {
  const norm = (url: string) => url.trim().replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}
