import { publishButton } from "../domain/command-events.js";
import type { Asker, Effect, EffectOutcome, NewEffect } from "../ports/store.js";
import { incidentView } from "../render/incident-view.js";
import type { EffectDeps } from "./run-effects.js";

/** Prepares the pending status-page update and posts it in the incident channel for review. */
export async function draftStatus(
  effect: Effect,
  request: Extract<Effect["payload"], { kind: "status_draft" }>,
  deps: EffectDeps,
): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  if (!incident) return { status: "skipped", error: "the incident does not exist" };
  const kind = request.draft;
  const message = request.message ?? deps.renderer.render(`status-page-${kind}`, incidentView(incident, deps.config));
  const earlier = incident.statusPage?.draft;
  // Asked for again as it stands (a command said twice, its first answer cut off, or a rule made the
  // same draft again): the draft and its review post stay, and whoever asked is told.
  if (earlier?.kind === kind && earlier.message === message) {
    if (!request.asker) return { status: "done", result: { draft: kind, unchanged: true } };
    const text = deps.renderer.render("status-draft", { same: true, resolution: kind === "resolution" });
    return {
      status: "done",
      result: { draft: kind, unchanged: true },
      then: [{ key: `${effect.key}:same`, incidentId: incident.id, payload: { kind: "post_message", to: request.asker, template: "status-draft", text } }],
    };
  }
  const review = `${effect.key}:review`;
  const draft = { kind, message, preparedAt: deps.clock.now().toISOString(), review };
  const text = deps.renderer.render("status-draft", { message, resolution: kind === "resolution", statusPageConfigured: Boolean(deps.config.status_page.id) });
  // The draft this one replaces, never published: its review post says so and loses its button.
  const retire = retiring(effect, incident.id, earlier?.review, () => deps.renderer.render("status-draft", { message: earlier!.message, replaced: true }));
  return {
    status: "done",
    result: { draft: kind, message },
    recorded: [{ what: "status_drafted", draft }],
    then: [
      ...retire,
      {
        key: review,
        incidentId: incident.id,
        payload: { kind: "post_message", to: "incident", template: "status-draft", text, buttons: [publishButton(draft)] },
      },
    ],
  };
}

/**
 * Publishes the pending status-page update (PagerDuty status pages) and says so in the channel. A
 * Publish button under a draft since replaced publishes nothing: the room is told to review the newer one.
 */
export async function publishStatus(
  effect: Effect,
  request: Extract<Effect["payload"], { kind: "status_publish" }>,
  triedBefore: boolean,
  deps: EffectDeps,
): Promise<EffectOutcome> {
  const { by } = request;
  const incident = await deps.store.getIncident(effect.incidentId);
  if (!incident) return { status: "skipped", error: "the incident does not exist" };
  const record = incident.statusPage ?? { draft: null, postId: null, published: [] };
  const draft = record.draft;
  const pageId = deps.config.status_page.id;
  const say = (data: Record<string, unknown>, result: unknown, to: Asker | "incident" = "incident"): EffectOutcome => ({
    status: "done",
    result,
    then: [{ key: `${effect.key}:said`, incidentId: incident.id, payload: { kind: "post_message", to, template: "status-published", text: deps.renderer.render("status-published", data) } }],
  });
  // Nothing published: said to whoever asked (the room need not hear of a button pressed twice).
  const toAsker = request.asker ?? "incident";
  // A button under another draft than the pending one: published already (its post not yet edited,
  // or a page not reloaded since), or replaced.
  const stale = Boolean(request.draft) && request.draft !== draft?.preparedAt;
  const publishedBefore = stale ? record.published.find((p) => p.preparedAt === request.draft) : undefined;
  if (publishedBefore) return say({ already: true, by, publishedBy: publishedBefore.by }, { published: false, reason: "the draft under that button was published already" }, toAsker);
  if (!draft) return say({}, { published: false, reason: "no pending update" }, toAsker);
  if (stale) return say({ replaced: true, by }, { published: false, reason: "the draft under that button was replaced" }, toAsker);
  if (!pageId || deps.paging.platform === "draft") return say({ message: draft.message }, { published: false, reason: "no status page configured" });
  const update = {
    statusPageId: pageId,
    postId: record.postId,
    title: incident.title,
    message: draft.message,
    status: draft.kind === "resolution" ? "resolved" : "investigating",
    severity: (incident.priority && deps.config.status_page.severity[incident.priority]) || "minor",
  };
  // The public page must not show an update twice: a retry after a lost answer looks for it first.
  const { postId } = (triedBefore ? await deps.paging.findStatusUpdate(update) : null) ?? (await deps.paging.publishStatus(update));
  const published = { at: deps.clock.now().toISOString(), by, kind: draft.kind, message: draft.message, preparedAt: draft.preparedAt };
  const said = say(
    { published: true, by, postId, message: draft.message, resolution: draft.kind === "resolution", pageUrl: deps.config.status_page.url },
    { published: true, postId },
  );
  // The draft's review post says who published it, and its button goes (it would publish nothing now).
  const retire = retiring(effect, incident.id, draft.review, () =>
    deps.renderer.render("status-draft", { message: draft.message, resolution: draft.kind === "resolution", publishedBy: by }),
  );
  return { ...said, then: [...(said.then ?? []), ...retire], recorded: [{ what: "status_published", postId, published }] };
}

/** The edit of a draft's review post (`review`, its effect's key) to `text`; none for a draft posted before drafts kept it. */
function retiring(effect: Effect, incidentId: string, review: string | undefined, text: () => string): NewEffect[] {
  return review ? [{ key: `${effect.key}:retire`, incidentId, payload: { kind: "retire_review", review, text: text() } }] : [];
}

/**
 * Edits the review post of a draft that was published, or that a newer one replaced: it says so,
 * and its Publish button goes (a click on it would publish nothing). Skipped where the post was
 * never made, or the platform cannot edit posts.
 */
export async function retireReview(effect: Effect, request: Extract<Effect["payload"], { kind: "retire_review" }>, deps: EffectDeps): Promise<EffectOutcome> {
  const posted = (effect.reviewPost ?? (await reviewPostOf(request.review, deps))) as { channel?: unknown; id?: unknown } | null;
  if (typeof posted?.channel !== "string" || typeof posted.id !== "string") return { status: "skipped", error: "the draft's review post was not made" };
  const room = deps.chat.at(posted.channel);
  if (!room.chat.capabilities.edits) return { status: "skipped", error: "this platform cannot edit posts" };
  await room.chat.updateMessage(room.channel, posted.id, request.text);
  return { status: "done", result: { edited: { channel: posted.channel, id: posted.id } } };
}

/** Where the review post (`review`, its effect's key) was made: its result, when it was. */
async function reviewPostOf(review: string, deps: EffectDeps): Promise<unknown> {
  const post = await deps.store.getEffect(review);
  return post?.status === "done" ? post.result : null;
}
