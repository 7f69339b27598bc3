/**
 * The part of zod Herald uses, imported by name. `import { z } from "zod"` brings zod's whole
 * namespace, and with it the error messages of 64 languages (a fifth of the Worker's bundle); named
 * imports let the bundler keep only what is used. Use it as `import * as z from "…/validation/zod.js"`.
 */
export { array, boolean, custom, enum, literal, looseObject, number, object, record, string, union, unknown, url } from "zod";
export type { core, infer, ZodError, ZodType } from "zod";
