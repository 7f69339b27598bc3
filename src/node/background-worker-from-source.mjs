// The background thread when Herald runs from its TypeScript sources (the tests): a new thread does
// not inherit the loader that compiles them, so it registers one before loading the thread's code.
import { register } from "tsx/esm/api";

register();
await import("./background-worker.ts");
