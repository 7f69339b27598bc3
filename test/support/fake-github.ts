import { readFileSync } from "node:fs";
import { Hono } from "hono";

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
  const reset = () => {
    calls = [];
  };
  const app = new Hono();
  app.get("/__calls", (c) => c.json(calls));
  app.post("/__reset", (c) => {
    reset();
    return c.json({ ok: true });
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
    const number = calls.length;
    return c.json(
      { ...created, number, title: body.title, html_url: `https://github.com/${options.repo}/issues/${number}` },
      201,
    );
  });
  return { app, calls: () => calls, reset };
}
