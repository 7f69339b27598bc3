/**
 * An isolate's Heralds, one for each bindings object it is handed (a test may hand it several),
 * built the first time each is asked for. The deployment's own can be built as the isolate starts
 * (`start`): requests then come with another object than the one `cloudflare:workers` exports, but
 * holding the same values (the same D1 binding among them), and are served by it. Bindings that
 * differ in any value get one of their own.
 */
export function isolateHeralds<E extends object, H>(build: (env: E) => H) {
  const built = new WeakMap<E, H>();
  let atStart: { env: E; herald: H } | undefined;
  const of = (env: E): H => {
    let herald = built.get(env);
    if (herald === undefined) {
      herald = atStart && sameValues(env, atStart.env) ? atStart.herald : build(env);
      built.set(env, herald);
    }
    return herald;
  };
  return {
    of,
    /** Builds the Herald of the bindings the isolate starts with, for the requests that bring the same. */
    start(env: E): H {
      const herald = of(env);
      atStart = { env, herald };
      return herald;
    },
  };
}

function sameValues(a: object, b: object): boolean {
  const [left, right] = [a as Record<string, unknown>, b as Record<string, unknown>];
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && left[key] === right[key]);
}
