import { z } from "zod";
import { SESSION_ENDED_REASONS } from "../sessions/ended-session.js";

/**
 * The shapes the auth routes answer with, as zod schemas: the OpenAPI document is generated
 * from them, and the contract tests parse real answers with them.
 */
const isoDateTime = z.iso.datetime({ offset: true });
const uuid = z.uuid();

/** `PublicUser`: the host's public extra fields come next to these. */
export const publicUserSchema = z
  .looseObject({
    id: uuid,
    email: z.string(),
    name: z.string().nullable(),
    role: z.string(),
    emailVerified: z.boolean(),
    createdAt: isoDateTime,
  })
  .meta({ id: "PublicUser" });

export const userResponseSchema = z.strictObject({ user: publicUserSchema });

/** `SessionView`, the access token's claims. */
export const sessionViewSchema = z
  .strictObject({
    userId: uuid,
    sessionId: uuid,
    role: z.string(),
    issuedAt: isoDateTime,
    expiresAt: isoDateTime,
    authTime: isoDateTime.meta({
      description: "When the user last proved who they are in this session (sign-in or step-up).",
    }),
    claims: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "SessionView" });

export const sessionResponseSchema = z.strictObject({ session: sessionViewSchema });

/** Why a session a browser still holds ended (`SessionEndedReason`). */
export const sessionEndedReasonSchema = z.enum(SESSION_ENDED_REASONS).meta({
  id: "SessionEndedReason",
  description:
    "Why the session ended: signed out (from another device, or by a newer sign-in), signed out everywhere, by an administrator, a password change or reset, a reused session token (security), the account disabled or deleted, or expired (idle or absolute lifetime).",
});

/** `GET /session?optional=true` when not signed in. */
export const signedOutSessionSchema = z
  .strictObject({
    session: z.null(),
    ended: z
      .strictObject({ reason: sessionEndedReasonSchema })
      .optional()
      .meta({ description: "Present when the request's cookies named a session that ended." }),
  })
  .meta({ id: "SignedOutSession" });

/** `Device`: what the user agent says, parsed. */
export const deviceSchema = z
  .strictObject({
    browser: z.string().nullable(),
    os: z.string().nullable(),
    type: z.string(),
    label: z.string().meta({ description: "e.g. “Firefox 131 on Windows 10”" }),
  })
  .meta({ id: "Device" });

export const liveSessionSchema = z
  .strictObject({
    id: uuid,
    current: z.boolean(),
    createdAt: isoDateTime,
    lastSeenAt: isoDateTime,
    expiresAt: isoDateTime,
    device: deviceSchema,
    ip: z.string().nullable(),
    signInMethods: z.array(z.string()).meta({
      description: "How the session signed in: `password`, `totp`, `recovery_code`, `passkey`…",
    }),
  })
  .meta({ id: "LiveSession" });

/** `POST /login` with a second factor enrolled: no session yet. */
export const twoFactorRequiredSchema = z
  .strictObject({
    twoFactorRequired: z.literal(true),
    methods: z.array(z.string()).meta({
      description: "The second factors the user can complete the sign-in with.",
    }),
  })
  .meta({ id: "TwoFactorRequired" });

export const reauthenticatedSchema = z
  .strictObject({ authTime: isoDateTime })
  .meta({ id: "Reauthenticated" });

export const sessionsResponseSchema = z.strictObject({ sessions: z.array(liveSessionSchema) });

/** RFC 9457 problem details, as every error of the package is answered. */
export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: "`about:blank` or a URI reference" }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

/** The 401 of a request whose cookies named a session that has ended. */
export const sessionEndedProblemSchema = z
  .looseObject({
    type: z.literal("/problems/session-ended"),
    title: z.string(),
    status: z.literal(401),
    detail: z.string(),
    reason: sessionEndedReasonSchema,
  })
  .meta({ id: "SessionEndedProblem" });

/** A 401: the session ended (with why), or any other problem (not signed in, step-up…). */
export const unauthorizedProblemSchema = z.union([sessionEndedProblemSchema, problemSchema]);

/** The 422: one entry per invalid field, at most 20 listed. */
export const validationProblemSchema = z
  .object({
    type: z.literal("/problems/validation"),
    title: z.string(),
    status: z.literal(422),
    detail: z.string(),
    errors: z
      .array(
        z.strictObject({
          pointer: z.string().meta({ description: "JSON Pointer into the request body" }),
          detail: z.string(),
        }),
      )
      .max(20),
  })
  .meta({ id: "ValidationProblem" });
