import type { Hono } from "hono";
import type { BlankSchema, Schema } from "hono/types";
import type { AuthPlugin } from "./plugin.js";

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (
  k: infer I,
) => void
  ? I
  : never;

/** The route schema (for Hono's typed client) of one plugin's `setup` result. */
type RoutesSchemaOf<Plugin> = Plugin extends { setup: (...args: never[]) => infer Parts }
  ? Awaited<Parts> extends { routes: Hono<never, infer Schema, never> }
    ? Schema
    : BlankSchema
  : BlankSchema;

/**
 * The merged route schemas of a list of plugins, so `hc<typeof app>` knows a plugin's routes
 * as well as the core's.
 */
export type PluginRoutesSchema<Plugins extends readonly AuthPlugin[]> = [Plugins[number]] extends [
  never,
]
  ? BlankSchema
  : UnionToIntersection<RoutesSchemaOf<Plugins[number]>> extends infer Merged extends Schema
    ? Merged
    : BlankSchema;
