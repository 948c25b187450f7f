import { z } from "zod";

export const providerSchema = z
  .strictObject({
    id: z.string().meta({ description: "Used in the routes' paths: `/oidc/{id}/start`." }),
    name: z.string().meta({ description: "What the button says: “Continue with {name}”." }),
  })
  .meta({ id: "OidcProvider" });

export const identitySchema = z
  .strictObject({
    id: z.uuid(),
    provider: z.string(),
    providerName: z.string(),
    email: z.string().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: "OidcIdentity", description: "A provider account that signs in to this user." });

export const pendingLinkSchema = z
  .strictObject({ provider: z.string(), providerName: z.string(), email: z.string() })
  .meta({
    id: "OidcPendingLink",
    description:
      "A provider account waiting, in this browser, to be connected to the account with this email.",
  });

/**
 * Whether `value` stays a path of this app once a URL parser has resolved it: `/.//evil.example`
 * passes a look at its first characters, then resolves to `//evil.example`, another origin.
 */
export function isAppPath(value: string): boolean {
  if (!/^\/(?![/\\])[^\s\\]*$/.test(value)) return false;
  const base = "http://app.invalid";
  const url = new URL(value, base);
  return url.origin === base && !url.pathname.startsWith("//");
}

/** Where a step-up returns: a path of the app (no other origin). */
const returnTo = z
  .string()
  .max(512)
  .regex(/^\/(?![/\\])[^\s\\]*$/, "must be a path of this app, like /account")
  .refine(isAppPath, "must be a path of this app, like /account")
  .optional();

export const startBody = z.strictObject({});
export const reauthenticateBody = z.strictObject({ returnTo });

export const authorizationResponse = z
  .strictObject({
    url: z.url().meta({ description: "Send the browser here (a top-level navigation)." }),
  })
  .meta({ id: "OidcAuthorization" });

export const callbackQuery = z.looseObject({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  iss: z.string().optional(),
});
