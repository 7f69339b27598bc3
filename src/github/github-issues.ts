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
    async createIssue({ title, body, labels }) {
      try {
        const { data } = await octokit.rest.issues.create({
          owner,
          repo,
          title,
          body,
          labels,
          request: { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) },
        });
        return { number: data.number, url: data.html_url };
      } catch (error) {
        const status = (error as { status?: number }).status;
        const retryAfter = Number((error as { response?: { headers?: Record<string, string> } }).response?.headers?.["retry-after"]) || undefined;
        const retryable = status === undefined || status === 429 || status >= 500;
        throw new EffectError(`GitHub issues.create: ${status ? `HTTP ${status} ` : ""}${(error as Error).message}`, retryable, retryAfter);
      }
    },
  };
}

/** Without GitHub credentials: nothing is filed; the follow-up is kept on the incident. */
export function createDraftIssues(): IssueTracker {
  return {
    platform: "draft",
    async createIssue() {
      return { number: null, url: null };
    },
  };
}
