import * as z from "../../validation/zod.js";

const account = z.looseObject({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional() });

/** A Bot Framework activity, as far as Herald reads one (Teams sends more; the rest is ignored). */
export const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  name: z.string().optional(),
  timestamp: z.string().optional(),
  serviceUrl: z.string().url().optional(),
  channelId: z.string().optional(),
  from: account.optional(),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional(), tenantId: z.string().optional() }).optional(),
  recipient: account.optional(),
  text: z.string().optional(),
  value: z.unknown().optional(),
  replyToId: z.string().optional(),
  entities: z.array(z.looseObject({ type: z.string().optional() })).optional(),
  channelData: z
    .looseObject({
      team: z.looseObject({ id: z.string().optional() }).optional(),
      channel: z.looseObject({ id: z.string().optional() }).optional(),
      tenant: z.looseObject({ id: z.string().optional() }).optional(),
    })
    .optional(),
});

export type Activity = z.infer<typeof activitySchema>;

/** A mention entity of an activity: who, and the `<at>…</at>` text that stands for them. */
export interface Mention {
  text: string;
  id: string;
  name: string;
}

export function mentionsOf(activity: Activity): Mention[] {
  return (activity.entities ?? []).flatMap((e) => {
    const entity = e as { type?: string; text?: unknown; mentioned?: { id?: unknown; name?: unknown } };
    if (entity.type !== "mention" || typeof entity.text !== "string" || typeof entity.mentioned?.id !== "string") return [];
    return [{ text: entity.text, id: entity.mentioned.id, name: typeof entity.mentioned.name === "string" ? entity.mentioned.name : entity.mentioned.id }];
  });
}

/** A channel thread's conversation id is its channel's id with `;messageid=<root>`. */
export function baseConversation(conversationId: string): string {
  return conversationId.split(";")[0]!;
}
