import type { SlackViews } from "./slack-chat.js";
import type { Config } from "../../config/schema.js";
import type { HmacSha256 } from "../../crypto/hmac.js";
import type { Background } from "../../ports/background.js";
import type { Clock } from "../../ports/clock.js";
import type { DeliveryStore, IncidentStore, OutboxStore } from "../../ports/store.js";

/** What Slack's routes (commands, interactions, events) are built from. */
export interface SlackRouteDeps {
  store: DeliveryStore & IncidentStore & Pick<OutboxStore, "effectsFor">;
  clock: Clock;
  background: Background;
  config: Config;
  signingSecret: string | null;
  /** Opens Slack forms; null without a Slack bot token. */
  views: SlackViews | null;
  log: (line: string) => void;
  hmac?: HmacSha256;
}
