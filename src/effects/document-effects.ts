import type { DocumentKind } from "../documents/document-view.js";
import { icsInvite } from "../documents/ics.js";
import { documentBranch, documentPath, renderDocument } from "../documents/render-document.js";
import type { Effect, EffectOutcome } from "../ports/store.js";
import { incidentView } from "../render/incident-view.js";
import { attemptOf } from "./effect-attempt.js";
import type { EffectDeps } from "./run-effects.js";

const POSTMORTEM_MINUTES = 60;
const DOCUMENT_LABELS: Record<DocumentKind, string> = { postmortem: "post-mortem", runbook: "runbook" };

/** Posts the post-mortem meeting in the incident channel, with its calendar invite. */
export async function inviteToPostmortem(effect: Effect, deps: EffectDeps): Promise<EffectOutcome> {
  const incident = await deps.store.getIncident(effect.incidentId);
  const meeting = incident?.postmortemMeeting;
  if (!incident?.channel || !meeting) return { status: "skipped", error: "no channel or no meeting" };
  const view = incidentView(incident, deps.config);
  const ics = icsInvite({
    uid: `${incident.id}-postmortem@herald`,
    start: meeting.at,
    minutes: POSTMORTEM_MINUTES,
    summary: `Post-mortem: ${incident.title}`,
    description: deps.renderer.render("postmortem-invite-description", view),
    now: deps.clock.now().toISOString(),
  });
  const room = deps.chat.at(incident.channel.id);
  // A retry after a lost answer looks for the invite before sharing it again: on Slack, a share of
  // this file and title with this comment (a share carries no metadata); where the platform posts the
  // file's text instead, that post, by the effect's key.
  await room.chat.uploadFile(
    room.channel,
    {
      filename: "postmortem.ics",
      title: `Post-mortem: ${incident.title}`,
      content: ics,
      comment: deps.renderer.render("postmortem-scheduled", { ...view, meeting }),
    },
    attemptOf(effect),
  );
  return { status: "done", result: { at: meeting.at } };
}

/** Renders the document from the record as it is now, proposes it as a pull request, and posts the link. */
export async function publishDocument(effect: Effect, request: Extract<Effect["payload"], { kind: "publish_document" }>, deps: EffectDeps): Promise<EffectOutcome> {
  const kind = request.document;
  const document = await renderDocument(kind, effect.incidentId, deps);
  if (!document) return { status: "skipped", error: "the incident does not exist" };
  const { incident, markdown } = document;
  const path = documentPath(kind, incident, deps.config);
  const label = DOCUMENT_LABELS[kind];
  const { existed, ...pullRequest } = await deps.issues.proposeDocument({
    path,
    content: markdown,
    // One branch per incident and kind: asking again updates the same pull request. (Named by the
    // date and number only: the file keeps the readable title, in any script.)
    branch: `herald/${kind}/${documentBranch(incident)}`,
    title: `${label === "runbook" ? "Runbook" : "Post-mortem"}: ${incident.title}`,
    body: `Drafted by Herald from the incident record${incident.url ? ` (${incident.url})` : ""}. Review it, fill in what the meeting decides, and merge.`,
  });
  // Asked for again (its pull request proposed by an earlier request), it says the draft is updated,
  // to whoever asked: the room has its link. The first request's retry, whose earlier attempt may
  // have opened the pull request, does not. (Records from before they kept their documents: a
  // first attempt that finds the pull request is asking again.)
  const updated = existed && (Boolean(incident.documents?.[kind]) || !attemptOf(effect).triedBefore);
  const to = updated ? (request.asker ?? "incident") : "incident";
  const text = deps.renderer.render("document-link", { label, kind, path, incidentId: incident.id, pullRequest, updated });
  return {
    status: "done",
    result: { path, pullRequest },
    recorded: [{ what: "document_proposed", document: kind, path, url: pullRequest.url }],
    then: [{ key: `${effect.key}:link`, incidentId: effect.incidentId, payload: { kind: "post_message", to, template: "document-link", text } }],
  };
}
