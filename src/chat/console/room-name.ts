const ROOM_NAME_MAX = 80;

/**
 * A console room's name: lowercase, words joined by `-`, letters of any script kept (a title in
 * Cyrillic or Japanese stays readable), at most 80 characters; `-2`, `-3`… after a taken name.
 */
export function consoleRoomName(wanted: string, attempt: number): string {
  const base =
    wanted
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_-]+/gu, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[-_]+/, "")
      .slice(0, ROOM_NAME_MAX)
      .replace(/[-_]+$/, "") || "incident";
  if (attempt < 2) return base;
  const suffix = `-${attempt}`;
  return `${base.slice(0, ROOM_NAME_MAX - suffix.length).replace(/[-_]+$/, "")}${suffix}`;
}
