import { Octokit } from "@octokit/rest";
import { EffectError } from "../ports/chat.js";
import type { IssueTracker } from "../ports/issue-tracker.js";

export interface GitHubIssuesOptions {
  token: string;
  /** owner/name */
  repo: string;
  /** Base URL of the REST API (default https://api.github.com); tests point it at a fake. */
  apiUrl?: string;
  timeoutMs?: number;
}

/** GitHub issues through @octokit/rest, which runs unchanged on Node and in workerd. */
export function createGitHubIssues(options: GitHubIssuesOptions): IssueTracker {
  const [owner = "", repo = ""] = options.repo.split("/");
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl ?? "https://api.github.com",
    userAgent: "herald",
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return {
    platform: "github",
    async createIssue({ title, body, labels, key }) {
      try {
        const { data } = await octokit.rest.issues.create({
          owner,
          repo,
          title,
          body: `${body}\n\n${marker(key)}`,
          labels,
          request: { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) },
        });
        return { number: required(data.number, "number"), url: required(data.html_url, "html_url") };
      } catch (error) {
        throw toEffectError("GitHub issues.create", error);
      }
    },

    async findIssue(key, label, since) {
      try {
        // The issues with the label updated since the effect was queued, newest first, 100 a page:
        // in an alert storm many are filed between two tries.
        for (let page = 1; page <= LOOKUP_PAGES; page++) {
          const { data } = await octokit.rest.issues.listForRepo({
            owner,
            repo,
            labels: label,
            state: "all",
            sort: "created",
            direction: "desc",
            per_page: LOOKUP_PAGE_SIZE,
            page,
            ...(since ? { since } : {}),
            request: { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) },
          });
          if (!Array.isArray(data)) throw new EffectError("the list of issues is missing", false);
          const found = data.find((issue) => issue.body?.includes(marker(key)));
          if (found) return { number: required(found.number, "number"), url: required(found.html_url, "html_url") };
          if (data.length < LOOKUP_PAGE_SIZE) return null;
        }
        return null;
      } catch (error) {
        throw toEffectError("GitHub issues.listForRepo", error);
      }
    },

    async proposeDocument(document) {
      const request = { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) };
      let step = "repos.get";
      try {
        const { data: repository } = await octokit.rest.repos.get({ owner, repo, request });
        const base = required(repository?.default_branch, "default_branch");
        step = "git.getRef";
        const { data: head } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}`, request });
        const sha = required(head?.object?.sha, "object.sha");
        step = "git.createRef";
        try {
          await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${document.branch}`, sha, request });
        } catch (error) {
          // The branch is there from an earlier attempt: carry on with it. (A 422 for a bad name is not that.)
          if (statusOf(error) !== 422 || !/already exists/i.test((error as Error).message)) throw error;
        }
        step = "repos.getContent";
        const existing = await fileSha(octokit, { owner, repo, path: document.path, ref: document.branch, request });
        step = "repos.createOrUpdateFileContents";
        await octokit.rest.repos.createOrUpdateFileContents({
          owner,
          repo,
          path: document.path,
          message: document.title,
          content: base64(document.content),
          branch: document.branch,
          ...(existing ? { sha: existing } : {}),
          request,
        });
        step = "pulls.list";
        const { data: open } = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${document.branch}`, state: "open", request });
        if (!Array.isArray(open)) throw new EffectError("the list of pull requests is missing", false);
        if (open[0]) return { number: required(open[0].number, "number"), url: required(open[0].html_url, "html_url"), existed: true };
        step = "pulls.create";
        const { data: pull } = await octokit.rest.pulls.create({ owner, repo, title: document.title, head: document.branch, base, body: document.body, request });
        return { number: required(pull?.number, "number"), url: required(pull?.html_url, "html_url"), existed: false };
      } catch (error) {
        const failure = toEffectError(`GitHub ${step}`, error);
        // The file changed between its read and this write (someone pushed to the branch): the next
        // attempt reads it again, so this one is worth trying again.
        if (step === "repos.createOrUpdateFileContents" && statusOf(error) === 409) throw new EffectError(failure.message, true);
        throw failure;
      }
    },
  };
}

/** How far a retry looks for the issue an earlier attempt filed: pages of 100 (GitHub's most), at most 5. */
const LOOKUP_PAGE_SIZE = 100;
const LOOKUP_PAGES = 5;

/** The hidden mark of an issue Herald filed for one effect. */
function marker(key: string): string {
  return `<!-- herald:${key.replace(/--/g, "- -")} -->`;
}

/**
 * A field GitHub's answer must have. A 2xx answer without it will not change on another try: it
 * fails at once, naming the field (the call is named by the caller).
 */
function required<T>(value: T | null | undefined, field: string): T {
  if (value === undefined || value === null || value === "") throw new EffectError(`the answer has no ${field}`, false);
  return value;
}

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

function toEffectError(what: string, error: unknown): EffectError {
  if (error instanceof EffectError) return new EffectError(`${what}: ${error.message}`, error.retryable, error.retryAfterSeconds);
  const status = statusOf(error);
  const message = `${what}: ${status ? `HTTP ${status} ` : ""}${(error as Error).message}`;
  const wait = rateLimitWait(status, (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {}, (error as Error).message);
  if (wait !== null) return new EffectError(message, true, wait);
  const retryable = status === undefined || status >= 500;
  return new EffectError(message, retryable);
}

/** Seconds to wait when no rate-limit header says (GitHub: "wait for at least one minute"). */
const SECONDARY_LIMIT_WAIT_SECONDS = 60;

/**
 * How long GitHub asks Herald to wait when the answer is a rate limit, in seconds; null when it is
 * not one. GitHub answers a rate limit with 429, or with 403 like a refused permission; it is told
 * apart by its headers or its message (GitHub's "Troubleshooting the REST API"): `retry-after` in
 * seconds when present; else `x-ratelimit-remaining: 0` until `x-ratelimit-reset` (UTC epoch
 * seconds); else, a secondary limit, at least a minute.
 */
export function rateLimitWait(status: number | undefined, headers: Record<string, string | undefined>, message: string, now = Date.now()): number | null {
  const exhausted = headers["x-ratelimit-remaining"] === "0";
  const retryAfter = Number(headers["retry-after"]);
  const limited = status === 429 || (status === 403 && (exhausted || headers["retry-after"] !== undefined || /rate limit/i.test(message)));
  if (!limited) return null;
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.ceil(retryAfter);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (exhausted && Number.isFinite(reset)) return Math.max(1, Math.ceil(reset - now / 1000));
  return SECONDARY_LIMIT_WAIT_SECONDS;
}

async function fileSha(
  octokit: Octokit,
  where: { owner: string; repo: string; path: string; ref: string; request: { signal: AbortSignal } },
): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getContent(where);
    return !Array.isArray(data) && typeof data.sha === "string" ? data.sha : null;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Base64 of the text's UTF-8 bytes (btoa alone takes Latin-1 only); the same on Node and Workers. */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Without GitHub credentials: nothing is filed; the follow-up is kept on the incident. */
export function createDraftIssues(): IssueTracker {
  return {
    platform: "draft",
    async createIssue() {
      return { number: null, url: null };
    },
    async findIssue() {
      return null;
    },
    async proposeDocument() {
      return { number: null, url: null, existed: false };
    },
  };
}
