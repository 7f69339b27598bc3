import { cutText } from "../fit-text.js";

const ROOM_NAME_MAX = 80;

/**
 * A console room's name: lowercase, words joined by `-`, letters of any script kept (a title in
 * Cyrillic or Japanese stays readable), at most 80 characters (UTF-16 code units, none cut in two);
 * `-2`, `-3`… after a taken name.
 */
export function consoleRoomName(wanted: string, attempt: number): string {
  const name = wanted
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_-]+/gu, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+/, "");
  const suffix = attempt < 2 ? "" : `-${attempt}`;
  const base = cutText(name, ROOM_NAME_MAX - suffix.length).replace(/[-_]+$/, "");
  return `${base || "incident"}${suffix}`;
}
