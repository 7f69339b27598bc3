import { BadRequestError } from "../errors.js";

/**
 * Keyset cursors: the sort key of a page's last row, opaque to clients (base64url of JSON), so a
 * page costs the same however deep it is and rows added meanwhile do not shift it.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return btoa(JSON.stringify(key)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The sort key in a cursor, checked against the shape expected; a cursor that is not one is a 400. */
export function decodeCursor<T extends readonly ("string" | "number")[]>(cursor: string, shape: T): { [K in keyof T]: T[K] extends "number" ? number : string } {
  let key: unknown;
  try {
    key = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    throw new BadRequestError("cursor is not one Herald gave: pass the `next` of the page before, unchanged");
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((value, i) => typeof value !== shape[i])) {
    throw new BadRequestError("cursor is not one Herald gave: pass the `next` of the page before, unchanged");
  }
  return key as { [K in keyof T]: T[K] extends "number" ? number : string };
}
