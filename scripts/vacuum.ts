// Gives the space that retention freed in Herald's SQLite file back to the disk (Node only; D1's
// binding cannot VACUUM). Run it with Herald stopped. Usage: npm run vacuum [-- path/to/herald.db]
import { resolve } from "node:path";
import { sqlitePath } from "../src/node/local-paths.js";
import { vacuumDatabase } from "../src/store/sqlite-vacuum.js";

const path = process.argv[2] ? resolve(process.argv[2]) : sqlitePath(process.env);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
try {
  const { before, after } = vacuumDatabase(path);
  console.log(`${path}: ${mib(before)} → ${mib(after)}`);
} catch (error) {
  console.error(`vacuum failed: ${(error as Error).message}`);
  process.exit(1);
}
