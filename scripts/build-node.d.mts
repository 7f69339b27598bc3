/** Bundles one entry point (a path from the repository's root) into `outfile` for Node 20. */
export declare function buildForNode(entry: string, outfile: string): Promise<void>;
