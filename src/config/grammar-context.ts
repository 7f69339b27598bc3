import { BUILT_IN_ROLES } from "../domain/command-events.js";
import type { GrammarContext } from "../domain/chat-command.js";
import type { Config } from "./schema.js";

/** What the chat grammar accepts under this configuration. */
export function grammarContext(config: Config): GrammarContext {
  return {
    priorities: config.priorities.map((p) => p.name),
    services: config.services.map((s) => s.key),
    roles: config.roles.map((r) => r.key),
    thirdParties: Object.keys(config.escalation),
  };
}

/** Every role's name by key: Incident Lead, Scribe, and the configured ones. */
export function roleNames(config: Config): Record<string, string> {
  return { ...BUILT_IN_ROLES, ...Object.fromEntries(config.roles.map((r) => [r.key, r.name])) };
}
