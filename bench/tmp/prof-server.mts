import { startNodeServer } from "../../src/node/start-server.js";
const node = await startNodeServer({ ...process.env, PORT: "3999" }, (l) => console.error(l));
console.log("ready", node.port);
setTimeout(() => process.exit(0), 14000);
