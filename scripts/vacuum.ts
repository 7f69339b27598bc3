// Gives the space that retention freed in Herald's SQLite file back to the disk (Node only; D1's
// binding cannot VACUUM). Run it with Herald stopped. Usage: npm run vacuum [-- path/to/herald.db]
import { resolve } from "node:path";
import { vacuumDatabase } from "../src/store/sqlite-vacuum.js";

const path = resolve(process.argv[2] ?? process.env.HERALD_DB ?? "./data/herald.db");
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
try {
  const { before, after } = vacuumDatabase(path);
  console.log(`${path}: ${mib(before)} → ${mib(after)}`);
} catch (error) {
  console.error(`vacuum failed: ${(error as Error).message}`);
  process.exit(1);
}
