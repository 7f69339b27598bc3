/** A follow-up filed in the team's issue tracker. */
export interface FiledIssue {
  number: number | null;
  url: string | null;
}

/** The issue tracker (GitHub) where follow-ups and non-incidents go. */
export interface IssueTracker {
  /** "draft": no credentials or repository; nothing is filed and the chat says so. */
  readonly platform: "github" | "draft";
  /**
   * Files an issue. `key` is marked in its body (an HTML comment, not shown), so `findIssue` can tell
   * whether an attempt whose answer was lost filed it after all.
   */
  createIssue(issue: { title: string; body: string; labels: string[]; key: string }): Promise<FiledIssue>;
  /**
   * The issue filed with this key among those with the label, or null: those updated since `since`
   * (nothing the effect filed is older: see EffectAttempt), or without it the newest ones.
   */
  findIssue(key: string, label: string, since?: string): Promise<FiledIssue | null>;
  /**
   * Proposes a document for the repository: the file on its own branch and a pull request for it.
   * Doing it again with the same branch updates the file and finds the same pull request.
   */
  proposeDocument(document: ProposedDocument): Promise<ProposedPullRequest>;
}

/** The pull request a document went into; `existed` when it was open already, and this updated it. */
export interface ProposedPullRequest extends FiledIssue {
  existed: boolean;
}

export interface ProposedDocument {
  path: string;
  content: string;
  branch: string;
  title: string;
  body: string;
}
