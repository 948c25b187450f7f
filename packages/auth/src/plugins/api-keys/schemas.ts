import { z } from "zod";
import { displayName } from "../../http/json-body.js";

/** PostgreSQL timestamps go further, but their text form past the year 9999 breaks. */
const LATEST_EXPIRY_MS = Date.UTC(9999, 0, 1);

/** The owner's name for a key: 1–100 characters, trimmed, nothing deceptive. */
const keyName = displayName().min(1, "is required").max(100, "must be at most 100 characters");

/**
 * `POST /api-keys`: a name, at least one scope this deployment offers, an optional expiry in
 * the future (ISO 8601 with an offset; null or absent: never).
 */
export function createKeyBody(scopes: ReadonlyMap<string, string>, now: () => number) {
  const known = [...scopes.keys()];
  return z.strictObject({
    name: keyName,
    scopes: z
      .array(
        z.enum(known as [string, ...string[]], { error: `must be one of ${known.join(", ")}` }),
      )
      .min(1, "needs at least one scope")
      .max(known.length, "lists a scope twice")
      .refine((list) => new Set(list).size === list.length, "lists a scope twice"),
    expiresAt: z.iso
      .datetime({ offset: true, error: "must be an ISO 8601 date-time" })
      .refine((value) => Date.parse(value) > now(), "must be in the future")
      .refine((value) => Date.parse(value) < LATEST_EXPIRY_MS, "must be before the year 9999")
      .nullish(),
  });
}

export const apiKeySchema = z
  .strictObject({
    id: z.string().meta({ description: "`key_…`; the `sid` of introspection answers." }),
    name: z.string(),
    prefix: z.string().meta({ description: "The start of the secret, to recognise it." }),
    scopes: z.array(z.string()),
    createdAt: z.iso.datetime({ offset: true }),
    lastUsedAt: z.iso.datetime({ offset: true }).nullable().meta({
      description: "Written in batches every few seconds: may lag a little.",
    }),
    expiresAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: "ApiKey" });

export const scopeSchema = z
  .strictObject({ name: z.string(), description: z.string() })
  .meta({ id: "ApiKeyScope" });
