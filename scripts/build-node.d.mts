/**
 * Bundles one entry point (a path from the repository's root) into `outfile` for Node 20, and, for an
 * entry that starts Herald (the default), its background thread beside `dist/node/main.mjs`.
 */
export declare function buildForNode(entry: string, outfile: string, options?: { startsHerald?: boolean }): Promise<void>;
