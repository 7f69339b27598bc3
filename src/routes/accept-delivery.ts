import type { Background } from "../ports/background.js";
import { MalformedBodyError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { ChatRequest } from "../domain/chat-request.js";
import type { Delivery, DeliveryStore } from "../ports/store.js";
import { requestUrgency, type Urgency } from "../domain/urgency.js";

/**
 * Stores a verified delivery once and asks for a background run; false when it was stored before
 * (a redelivery), in which case nothing more happens.
 */
export async function acceptDelivery(
  deps: { store: DeliveryStore; clock: Clock; background: Background },
  delivery: Pick<Delivery, "id" | "source" | "body"> & { webhookId?: string | null; request?: ChatRequest; urgency?: Urgency; subject?: string; note?: string },
): Promise<boolean> {
  // Deliveries are found again by id: one the database would store altered (broken Unicode, control
  // characters) could never be marked processed.
  if (!isPlainId(delivery.id)) throw new MalformedBodyError("the request's id holds characters no id has");
  // A new incident goes ahead of a backlog (a P1/P2 first); a chat request's urgency is its command's.
  const urgency = delivery.urgency ?? (delivery.request ? requestUrgency(delivery.request) : 2);
  const stored = await deps.store.recordDelivery({
    id: delivery.id,
    source: delivery.source,
    webhookId: delivery.webhookId ?? null,
    receivedAt: deps.clock.now().toISOString(),
    body: delivery.body,
    request: delivery.request ?? null,
    urgency,
    subject: delivery.subject ?? null,
    note: delivery.note ?? null,
  });
  if (stored) deps.background.schedule(`${delivery.source} delivery`, { urgent: urgency === 0 });
  return stored;
}

/** Well-formed Unicode without control characters, and not absurdly long. */
function isPlainId(id: string): boolean {
  return id.length <= 512 && !/[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(id);
}
