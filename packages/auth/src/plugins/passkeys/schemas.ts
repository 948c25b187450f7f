import { z } from "zod";
import { displayName } from "../../http/json-body.js";
import { DEVICE_TYPES } from "./tables.js";

/** base64url as browsers send it (padding tolerated), at most `max` characters. */
const base64url = (max: number) =>
  z
    .string()
    .min(1, "is required")
    .max(max, "is too long")
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, "must be base64url");

/** A credential id: at most 1023 bytes (WebAuthn), 1364 base64url characters. */
const credentialId = base64url(1366);

/** The owner's name for a passkey: 1–64 characters, trimmed, nothing deceptive. */
export const passkeyName = displayName()
  .min(1, "is required")
  .max(64, "must be at most 64 characters");

const clientExtensionResults = z.record(z.string(), z.unknown()).default({});
const attachment = z.enum(["platform", "cross-platform"]).optional();

/** `RegistrationResponseJSON`, as `@simplewebauthn/browser`'s `startRegistration()` sends it. */
export const registrationResponse = z.looseObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(65536),
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
  clientExtensionResults,
  authenticatorAttachment: attachment,
});

/** `AuthenticationResponseJSON`, as `startAuthentication()` sends it. */
export const authenticationResponse = z.looseObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(8192),
    signature: base64url(2048),
    userHandle: base64url(128).optional(),
  }),
  clientExtensionResults,
  authenticatorAttachment: attachment,
});

export const registerBody = z.strictObject({ name: passkeyName, response: registrationResponse });
export const renameBody = z.strictObject({ name: passkeyName });
export const authenticateOptionsBody = z.strictObject({
  purpose: z.enum(["sign-in", "second-factor", "reauthenticate"]),
});
export const authenticateBody = z.strictObject({ response: authenticationResponse });

const isoDateTime = z.iso.datetime({ offset: true });

export const passkeySchema = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    createdAt: isoDateTime,
    lastUsedAt: isoDateTime.nullable(),
    deviceType: z.enum(DEVICE_TYPES),
    backedUp: z.boolean(),
  })
  .meta({ id: "Passkey" });
