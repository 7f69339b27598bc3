import type { Hono } from "hono";
import { PatternRouter } from "hono/router/pattern-router";

/**
 * The methods an app answers at a path, from its routes (middleware, registered for every method,
 * does not count): how a request that matched no route tells a path Herald does not have (404) from
 * a method it does not take there (405, with `Allow`). HEAD comes with GET, as Hono answers it.
 * Read from the app's routes on the first call, once they are all mounted.
 */
export function allowedMethods(app: Hono): (path: string) => string[] {
  let routes: PatternRouter<string> | null = null;
  const build = () => {
    const router = new PatternRouter<string>();
    for (const { method, path } of app.routes) if (method !== "ALL") router.add("ALL", path, method);
    return router;
  };
  return (path) => {
    routes ??= build();
    const methods = new Set(routes.match("ALL", path)[0].map(([method]) => method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
