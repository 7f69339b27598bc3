import { parse as parseYaml } from "yaml";
import type { core } from "../validation/zod.js";
import { ConfigError } from "../errors.js";
import { configSchema, type Config } from "./schema.js";

/** Chat destinations a rule may post to besides a channel id of its own. */
const NAMED_DESTINATIONS = ["incident", "team", "ask", "update"];

export interface LoadConfigOptions {
  /** Where the text came from, for error messages. */
  source: string;
  /** Values for `${NAME}` references in the file. */
  env: Record<string, string | undefined>;
  /** Names of the templates that exist, so a rule naming another one fails at start. */
  templateNames: readonly string[];
}

/** Parses and validates herald.yaml; throws ConfigError naming the key and the fix. */
export function loadConfig(text: string, options: LoadConfigOptions): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${options.source}: not valid YAML: ${(error as Error).message}`);
  }
  const interpolated = interpolate(raw ?? {}, options, []);
  // Inputs are reported only to tell a missing key from a wrong one; they are never printed.
  const result = configSchema.safeParse(interpolated, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describeIssue(options.source, issue)).join("\n"));
  }
  checkReferences(result.data, options);
  return result.data;
}

function interpolate(value: unknown, options: LoadConfigOptions, path: (string | number)[]): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const found = options.env[name];
      if (found === undefined || found === "") {
        throw new ConfigError(
          `${options.source}: ${formatPath(path)}: refers to \${${name}}, which is not set in the environment`,
        );
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, options, [...path, index]));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, options, [...path, key])]),
    );
  }
  return value;
}

function checkReferences(config: Config, options: LoadConfigOptions): void {
  const priorities = new Set(config.priorities.map((p) => p.name));
  config.rules.forEach((rule, r) => {
    rule.if?.priority?.forEach((name, i) => {
      if (name !== "none" && !priorities.has(name)) {
        throw new ConfigError(
          `${options.source}: rules[${r}].if.priority[${i}]: unknown priority '${name}' (known: ${[...priorities, "none"].join(", ")})`,
        );
      }
    });
    rule.do.forEach((action, a) => {
      if (typeof action === "string") return;
      const { to, template } = action.post;
      if (!options.templateNames.includes(template)) {
        throw new ConfigError(
          `${options.source}: rules[${r}].do[${a}].post.template: unknown template '${template}' (templates: ${options.templateNames.join(", ")})`,
        );
      }
      if (!NAMED_DESTINATIONS.includes(to) && !/^[A-Z0-9]{6,}$/.test(to)) {
        throw new ConfigError(
          `${options.source}: rules[${r}].do[${a}].post.to: '${to}' is neither one of ${NAMED_DESTINATIONS.join(", ")} nor a chat channel id`,
        );
      }
    });
  });
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: config.timezone });
  } catch {
    throw new ConfigError(`${options.source}: timezone: '${config.timezone}' is not an IANA time zone such as Europe/London`);
  }
}

function describeIssue(source: string, issue: core.$ZodIssue): string {
  const where = `${source}: ${formatPath(issue.path)}`;
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? `${where}: is required` : `${where}: must be ${article(issue.expected)}`;
    case "unrecognized_keys":
      return `${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}
