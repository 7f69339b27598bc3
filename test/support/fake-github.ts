import { readFileSync } from "node:fs";
import { Hono, type Context } from "hono";
import { dropConnection } from "./drop-connection.js";

interface Fault {
  status?: number;
  /**
   * Refused by a rate limit, as GitHub refuses (a 403 like a refused permission): "primary" (the
   * hour's requests spent: `x-ratelimit-remaining: 0` until `x-ratelimit-reset`, `resetInSeconds`
   * from now) or "secondary" (too many at once: `retry-after`, `retryAfter` seconds).
   */
  rateLimited?: "primary" | "secondary";
  resetInSeconds?: number;
  retryAfter?: number;
  lose?: boolean;
  close?: boolean;
  body?: unknown;
  /** PUT contents: someone pushed the file meanwhile, so the `sha` sent no longer matches (409). */
  conflict?: boolean;
}

/** One call the fake GitHub REST API received. */
export interface GitHubCall {
  method: string;
  path: string;
  body: unknown;
}

// The real 201 body of issues.create (octokit/fixtures), as the template for answers.
const created = JSON.parse(readFileSync(new URL("../fixtures/github/create-issue_201_response_body.octokit-fixtures.json", import.meta.url), "utf8"));

/**
 * A fake GitHub REST API for issues.create that refuses what GitHub would: a wrong token, an unknown
 * repository, a missing title, labels that are not strings. `/__calls` lists the calls.
 */
export function createFakeGitHub(options: { token: string; repo: string }) {
  let calls: GitHubCall[] = [];
  // The repository: branches (name → head sha), files per branch, pull requests.
  let branches = new Map<string, string>();
  let files = new Map<string, { sha: string; content: string }>();
  let pulls: { number: number; head: string; base: string; title: string; body: string; html_url: string }[] = [];
  let issues: { number: number; title: string; body: string; labels: string[]; html_url: string; created_at: string; updated_at: string }[] = [];
  // Faults on demand by "METHOD route" ("POST issues", "PUT contents", "POST pulls", "GET git/ref"):
  // `status` (refused before it acts), `lose` (it lands, the answer is lost: a 502), `close` (it
  // lands, the connection is closed instead of answering) or `body` (a 2xx with this body).
  let faults: Record<string, Fault[]> = {};
  let shas = 0;
  const nextSha = () => (++shas).toString(16).padStart(40, "0");
  const reset = () => {
    calls = [];
    branches = new Map([["main", nextSha()]]);
    files = new Map();
    pulls = [];
    issues = [];
    faults = {};
  };
  reset();
  const app = new Hono();
  app.get("/__calls", (c) => c.json(calls));
  /** The issues as GitHub holds them (including those whose answer was lost). */
  app.get("/__issues", (c) => c.json(issues));
  /** The pull requests as GitHub holds them (including those whose answer was lost). */
  app.get("/__pulls", (c) => c.json(pulls));
  /** The faults queued and not yet served, by call. */
  app.get("/__faults", (c) => c.json(Object.fromEntries(Object.entries(faults).filter(([, queued]) => queued.length > 0))));
  app.post("/__fault", async (c) => {
    const { call, ...fault } = (await c.req.json()) as Fault & { call: string };
    (faults[call] ??= []).push(fault);
    return c.json({ ok: true });
  });
  const faultFor = (call: string) => faults[call]?.shift();
  /** The refusal a fault asks for before the call acts, or null (GitHub's bodies and headers). */
  const refusal = (c: Context, fault: Fault | undefined): Response | null => {
    const docs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
    if (fault?.rateLimited === "primary") {
      const reset = String(Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 3600));
      c.header("x-ratelimit-limit", "5000");
      c.header("x-ratelimit-remaining", "0");
      c.header("x-ratelimit-used", "5000");
      c.header("x-ratelimit-reset", reset);
      return c.json({ message: "API rate limit exceeded for user ID 1.", documentation_url: docs, status: "403" }, 403);
    }
    if (fault?.rateLimited === "secondary") {
      c.header("retry-after", String(fault.retryAfter ?? 60));
      return c.json({ message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: docs, status: "403" }, 403);
    }
    return fault?.status ? c.json({ message: "Server Error" }, fault.status as 500) : null;
  };
  /** The answer once the call has landed: lost, cut off, or as given. */
  const answer = (c: Context, fault: Fault | undefined, given: () => Response) =>
    fault?.lose ? c.text("Bad Gateway", 502) : fault?.close ? dropConnection(c) : given();
  app.post("/__reset", (c) => {
    reset();
    return c.json({ ok: true });
  });
  // Every repository call: the token and the repository must be right.
  app.use("/repos/:owner/:repo/*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "POST" && c.req.method !== "PUT") return c.json({ message: "Not Found" }, 404);
    const body = c.req.method === "GET" ? null : await c.req.raw.clone().json().catch(() => null);
    if (!c.req.path.endsWith("/issues")) calls.push({ method: c.req.method, path: c.req.path + (c.req.url.includes("?") ? `?${c.req.url.split("?")[1]}` : ""), body });
    const auth = c.req.header("authorization");
    if (auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) return c.json({ message: "Bad credentials" }, 401);
    if (`${c.req.param("owner")}/${c.req.param("repo")}` !== options.repo) return c.json({ message: "Not Found" }, 404);
    await next();
  });
  app.get("/repos/:owner/:repo", (c) => {
    if (`${c.req.param("owner")}/${c.req.param("repo")}` !== options.repo) return c.json({ message: "Not Found" }, 404);
    return c.json({ full_name: options.repo, default_branch: "main" });
  });
  app.get("/repos/:owner/:repo/git/ref/*", (c) => {
    const fault = faultFor("GET git/ref");
    if (fault?.body !== undefined) return c.json(fault.body as object);
    const ref = decodeURIComponent(c.req.path.split("/git/ref/")[1] ?? "");
    const sha = branches.get(ref.replace(/^heads\//, ""));
    if (!ref.startsWith("heads/") || !sha) return c.json({ message: "Not Found" }, 404);
    return c.json({ ref: `refs/${ref}`, object: { sha, type: "commit" } });
  });
  app.post("/repos/:owner/:repo/git/refs", async (c) => {
    const body = (await c.req.json()) as { ref?: unknown; sha?: unknown };
    if (typeof body.ref !== "string" || !/^refs\/heads\/[\w./-]+$/.test(body.ref) || typeof body.sha !== "string" || !/^[0-9a-f]{40}$/.test(body.sha)) {
      return c.json({ message: "Invalid request", errors: [{ field: "ref" }] }, 422);
    }
    const name = body.ref.slice("refs/heads/".length);
    if (branches.has(name)) return c.json({ message: "Reference already exists" }, 422);
    branches.set(name, body.sha);
    return c.json({ ref: body.ref, object: { sha: body.sha, type: "commit" } }, 201);
  });
  app.get("/repos/:owner/:repo/contents/*", (c) => {
    const path = decodeURIComponent(c.req.path.split("/contents/")[1] ?? "");
    const file = files.get(`${c.req.query("ref") ?? "main"}:${path}`);
    return file ? c.json({ type: "file", path, sha: file.sha, content: file.content, encoding: "base64" }) : c.json({ message: "Not Found" }, 404);
  });
  app.put("/repos/:owner/:repo/contents/*", async (c) => {
    const path = decodeURIComponent(c.req.path.split("/contents/")[1] ?? "");
    const fault = faultFor("PUT contents");
    const refused = refusal(c, fault);
    if (refused) return refused;
    const body = (await c.req.json()) as { message?: unknown; content?: unknown; branch?: unknown; sha?: unknown };
    if (typeof body.message !== "string" || body.message === "") return c.json({ message: "Invalid request", errors: [{ field: "message", code: "missing_field" }] }, 422);
    if (typeof body.content !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(body.content)) return c.json({ message: "content is not valid Base64" }, 422);
    const branch = typeof body.branch === "string" ? body.branch : "main";
    if (!branches.has(branch)) return c.json({ message: `Branch ${branch} not found` }, 404);
    const key = `${branch}:${path}`;
    const existing = files.get(key);
    if (existing && body.sha === undefined) return c.json({ message: `Invalid request.\n\n"sha" wasn't supplied.` }, 422);
    if ((existing && body.sha !== existing.sha) || fault?.conflict) return c.json({ message: `${path} does not match ${String(body.sha ?? "")}` }, 409);
    const sha = nextSha();
    files.set(key, { sha, content: body.content });
    branches.set(branch, nextSha());
    return answer(c, fault, () => c.json({ content: { path, sha, html_url: `https://github.com/${options.repo}/blob/${branch}/${path}` }, commit: { sha: branches.get(branch) } }, existing ? 200 : 201));
  });
  app.get("/repos/:owner/:repo/pulls", (c) => {
    const head = c.req.query("head");
    const state = c.req.query("state") ?? "open";
    return c.json(pulls.filter((p) => (!head || `${options.repo.split("/")[0]}:${p.head}` === head) && state === "open"));
  });
  app.post("/repos/:owner/:repo/pulls", async (c) => {
    const fault = faultFor("POST pulls");
    const refused = refusal(c, fault);
    if (refused) return refused;
    const body = (await c.req.json()) as { title?: unknown; head?: unknown; base?: unknown; body?: unknown };
    if (typeof body.title !== "string" || typeof body.head !== "string" || typeof body.base !== "string") {
      return c.json({ message: "Validation Failed", errors: [{ field: "title/head/base", code: "missing_field" }] }, 422);
    }
    if (!branches.has(body.head) || !branches.has(body.base)) return c.json({ message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] }, 422);
    if (pulls.some((p) => p.head === body.head)) return c.json({ message: `A pull request already exists for ${body.head}.` }, 422);
    const number = 100 + pulls.length + 1;
    const pull = { number, head: body.head, base: body.base, title: body.title, body: String(body.body ?? ""), html_url: `https://github.com/${options.repo}/pull/${number}` };
    pulls.push(pull);
    return answer(c, fault, () => c.json(pull, 201));
  });
  app.post("/repos/:owner/:repo/issues", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { title?: unknown; labels?: unknown } | null;
    calls.push({ method: "POST", path: c.req.path, body });
    const auth = c.req.header("authorization");
    if (auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) return c.json({ message: "Bad credentials" }, 401);
    if (`${c.req.param("owner")}/${c.req.param("repo")}` !== options.repo) return c.json({ message: "Not Found" }, 404);
    if (typeof body?.title !== "string" || body.title === "") return c.json({ message: "Validation Failed", errors: [{ field: "title", code: "missing_field" }] }, 422);
    if (body.labels !== undefined && !(Array.isArray(body.labels) && body.labels.every((l) => typeof l === "string"))) {
      return c.json({ message: "Validation Failed", errors: [{ field: "labels", code: "invalid" }] }, 422);
    }
    const fault = faultFor("POST issues");
    const refused = refusal(c, fault);
    if (refused) return refused;
    const number = calls.length;
    const html_url = `https://github.com/${options.repo}/issues/${number}`;
    const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    issues.push({ number, title: body.title, body: String((body as { body?: unknown }).body ?? ""), labels: (body.labels as string[] | undefined) ?? [], html_url, created_at: at, updated_at: at });
    return answer(c, fault, () => c.json({ ...created, number, title: body.title, html_url }, 201));
  });
  // issues.listForRepo: newest first, filtered by labels and by `since` (updated at or after), a page
  // of `per_page` (30 by default, 100 at most) at `page`, with a Link header to the next one.
  app.get("/repos/:owner/:repo/issues", (c) => {
    calls.push({ method: "GET", path: c.req.path + (c.req.url.includes("?") ? `?${c.req.url.split("?")[1]}` : ""), body: null });
    const auth = c.req.header("authorization");
    if (auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) return c.json({ message: "Bad credentials" }, 401);
    const label = c.req.query("labels");
    const since = c.req.query("since");
    if (since !== undefined && Number.isNaN(Date.parse(since))) return c.json({ message: "Validation Failed", errors: [{ field: "since", code: "invalid" }] }, 422);
    const found = issues.filter((i) => (!label || label.split(",").every((l) => i.labels.includes(l))) && (!since || i.updated_at >= new Date(since).toISOString().replace(/\.\d{3}Z$/, "Z"))).reverse();
    const perPage = Math.min(Number(c.req.query("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(c.req.query("page") ?? 1) || 1, 1);
    if (page * perPage < found.length) {
      const next = new URL(c.req.url);
      next.searchParams.set("page", String(page + 1));
      c.header("link", `<${next.toString()}>; rel="next"`);
    }
    return c.json(found.slice((page - 1) * perPage, page * perPage).map((i) => ({ ...created, ...i, labels: i.labels.map((name) => ({ name })) })));
  });
  /** A file as it stands on a branch, decoded. */
  const file = (branch: string, path: string) => {
    const found = files.get(`${branch}:${path}`);
    return found ? new TextDecoder().decode(Uint8Array.from(atob(found.content), (ch) => ch.charCodeAt(0))) : null;
  };
  app.get("/__file", (c) => c.json({ content: file(c.req.query("branch") ?? "main", c.req.query("path") ?? "") }));
  return { app, calls: () => calls, reset, file };
}
