import type { Hono } from "hono";
import type { BlankSchema } from "hono/types";

/** The route schema (for Hono's typed client) of one plugin's `setup` result. */
type RoutesSchemaOf<Plugin> = Plugin extends { setup: (...args: never[]) => infer Parts }
  ? // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any env and base path
    Awaited<Parts> extends { routes: Hono<any, infer Schema, any> }
    ? Schema
    : BlankSchema
  : BlankSchema;

/**
 * The merged route schemas of a tuple of plugins (`plugins: [a(), b()]`), so `hc<typeof app>`
 * knows a plugin's routes as well as the core's. A plain array type gives no routes.
 */
export type PluginRoutesSchema<Plugins> = Plugins extends readonly [infer Head, ...infer Tail]
  ? RoutesSchemaOf<Head> & PluginRoutesSchema<Tail>
  : BlankSchema;

/** A routes app whose schema also has the plugins' routes. */
export type WithPluginRoutes<Routes, Plugins> =
  Routes extends Hono<infer Env, infer Schema, infer BasePath>
    ? Hono<Env, Schema & PluginRoutesSchema<Plugins>, BasePath>
    : never;
