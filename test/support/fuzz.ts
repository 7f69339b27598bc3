/**
 * Seeded mutations of real payloads, for fuzzing Herald's routes: the same seed gives the same
 * cases, so a failure reproduces (the failing case's seed and mutation are in its message).
 */

/** A small, fast PRNG (mulberry32): deterministic from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Mutation {
  name: string;
  body: string;
}

type Rand = () => number;

const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** Odd values a field might be given: wrong types, huge, deep, markup, wrong encodings. */
function oddValue(rand: Rand): unknown {
  switch (Math.floor(rand() * 12)) {
    case 0:
      return null;
    case 1:
      return Math.floor(rand() * 2 ** 53) * (rand() < 0.5 ? -1 : 1);
    case 2:
      return "x".repeat(Math.floor(rand() * 200_000));
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return true;
    case 6:
      return deep(rand, 500 + Math.floor(rand() * 3000));
    case 7:
      return "<!channel> *bold* `code` <https://evil.example|click> <@U0ADA0001> # heading\n- list\n| a | b |";
    case 8:
      // Latin-1 read as UTF-8, a lone surrogate, a BOM, a NUL, right-to-left override.
      return "Ã©\uD800\uFEFF\u0000\u202E";
    case 9:
      return "1e400";
    case 10:
      return "__proto__";
    default:
      return { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } };
  }
}

function deep(rand: Rand, depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = rand() < 0.5 ? [value] : { v: value };
  return value;
}

/** Every path to a value in a JSON document (objects and arrays), to pick one from. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = [], limit = 2000): (string | number)[][] {
  if (out.length >= limit) return out;
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...prefix, i]), paths(v, [...prefix, i], out, limit)));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      paths(v, [...prefix, k], out, limit);
    }
  }
  return out;
}

function mutateJson(rand: Rand, text: string): Mutation {
  const doc = JSON.parse(text) as unknown;
  const all = paths(doc);
  if (all.length === 0) return { name: "json: replaced whole", body: JSON.stringify(oddValue(rand)) };
  const path = pick(rand, all);
  let parent = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path.at(-1)!;
  const where = path.join(".");
  if (rand() < 0.3) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return { name: `json: removed ${where}`, body: JSON.stringify(doc) };
  }
  const odd = oddValue(rand);
  parent[key] = odd;
  return { name: `json: ${where} = ${describe(odd)}`, body: JSON.stringify(doc) };
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? `string(${value.length})` : JSON.stringify(value)?.slice(0, 40) ?? String(value);
  return text;
}

/** One mutation of a JSON body: truncated, bytes flipped, a field removed or retyped, huge or deep values. */
export function mutateJsonBody(rand: Rand, text: string): Mutation {
  const r = rand();
  if (r < 0.15) {
    const at = Math.floor(rand() * text.length);
    return { name: `truncated at ${at}`, body: text.slice(0, at) };
  }
  if (r < 0.3) return flipped(rand, text);
  if (r < 0.35) return { name: "not JSON at all", body: pick(rand, ["", "null", "[]", "\"text\"", "{", "\u0000\u0001", "<xml/>"]) };
  return mutateJson(rand, text);
}

/** One mutation of a form body (Slack's commands, `payload=` for interactions): a field's value replaced, removed or mangled. */
export function mutateFormBody(rand: Rand, text: string): Mutation {
  const form = new URLSearchParams(text);
  const keys = [...form.keys()];
  const r = rand();
  if (r < 0.15) {
    const at = Math.floor(rand() * text.length);
    return { name: `truncated at ${at}`, body: text.slice(0, at) };
  }
  if (r < 0.3) return flipped(rand, text);
  const key = pick(rand, keys);
  if (key === "payload" && rand() < 0.7) {
    const inner = mutateJsonBody(rand, form.get("payload")!);
    form.set("payload", inner.body);
    return { name: `payload ${inner.name}`, body: form.toString() };
  }
  if (rand() < 0.3) {
    form.delete(key);
    return { name: `form: removed ${key}`, body: form.toString() };
  }
  const odd = oddValue(rand);
  form.set(key, typeof odd === "string" ? odd : JSON.stringify(odd) ?? "");
  return { name: `form: ${key} = ${describe(odd)}`, body: form.toString() };
}

function flipped(rand: Rand, text: string): Mutation {
  const chars = [...text];
  const flips = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < flips && chars.length; i++) {
    const at = Math.floor(rand() * chars.length);
    chars[at] = String.fromCharCode((chars[at]!.charCodeAt(0) ^ (1 << Math.floor(rand() * 8))) & 0xffff);
  }
  return { name: `${flips} characters flipped`, body: chars.join("") };
}

/** How many cases a fuzz test runs: a few hundred in `npm test`, FUZZ_CASES in `npm run soak`. */
export function fuzzCases(fallback: number): number {
  const fromEnv = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FUZZ_CASES);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}

/** The seed of a fuzz run: FUZZ_SEED to replay one, else a fixed one (so `npm test` is the same every time). */
export function fuzzSeed(fallback = 20261129): number {
  const fromEnv = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FUZZ_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : fallback;
}
