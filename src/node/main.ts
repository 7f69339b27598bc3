import { ConfigError } from "../errors.js";
import { startNodeServer } from "./start-server.js";

const log = (line: string) => console.error(`[herald] ${line}`);

try {
  const node = await startNodeServer(process.env, log);
  const stop = () => void node.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`[herald] configuration error:\n${error.message}`);
  process.exit(1);
}
