/** A follow-up filed in the team's issue tracker. */
export interface FiledIssue {
  number: number | null;
  url: string | null;
}

/** The issue tracker (GitHub) where follow-ups and non-incidents go. */
export interface IssueTracker {
  /** "draft": no credentials or repository; nothing is filed and the chat says so. */
  readonly platform: "github" | "draft";
  createIssue(issue: { title: string; body: string; labels: string[] }): Promise<FiledIssue>;
}
