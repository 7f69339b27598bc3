import type { Background } from "../ports/background.js";
import type { Clock } from "../ports/clock.js";
import type { ChatRequest } from "../domain/chat-request.js";
import type { Delivery, DeliveryStore } from "../ports/store.js";

/**
 * Stores a verified delivery once and asks for a background run; false when it was stored before
 * (a redelivery), in which case nothing more happens.
 */
export async function acceptDelivery(
  deps: { store: DeliveryStore; clock: Clock; background: Background },
  delivery: Pick<Delivery, "id" | "source" | "body"> & { webhookId?: string | null; request?: ChatRequest },
): Promise<boolean> {
  const stored = await deps.store.recordDelivery({
    id: delivery.id,
    source: delivery.source,
    webhookId: delivery.webhookId ?? null,
    receivedAt: deps.clock.now().toISOString(),
    body: delivery.body,
    request: delivery.request ?? null,
  });
  if (stored) deps.background.schedule(`${delivery.source} delivery`);
  return stored;
}
