import { z } from "zod";
import {
  BODY_PROBLEMS,
  describeRoute,
  jsonResponse,
  problemResponses,
  queryParameters,
  SIGNED_IN,
  UNSAFE_PROBLEMS,
} from "../../openapi/describe.js";
import { safeText } from "../../http/json-body.js";
import { ADMIN_ACTIONS } from "./audit-table.js";

const isoDateTime = z.iso.datetime({ offset: true });
const TAGS = ["admin"];

export const adminUserSchema = z
  .strictObject({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.string(),
    disabled: z.boolean(),
    emailVerified: z.boolean(),
    createdAt: isoDateTime,
    lastSeenAt: isoDateTime.nullable(),
    liveSessions: z.int().min(0),
  })
  .meta({ id: "AdminUser" });

const adminSessionSchema = z
  .strictObject({
    id: z.uuid(),
    device: z.string(),
    ip: z.string().nullable(),
    createdAt: isoDateTime,
    lastSeenAt: isoDateTime,
  })
  .meta({ id: "AdminSession" });

const adminEventSchema = z
  .strictObject({
    id: z.string(),
    type: z.string(),
    createdAt: isoDateTime,
    ip: z.string().nullable(),
    device: z.string(),
    actor: z.strictObject({ id: z.uuid(), email: z.string().nullable() }).nullable(),
  })
  .meta({ id: "AdminUserEvent" });

const auditEventSchema = z
  .strictObject({
    id: z.string(),
    action: z.enum(ADMIN_ACTIONS),
    actor: z.strictObject({ id: z.uuid().nullable(), label: z.string() }),
    target: z.strictObject({ id: z.uuid(), email: z.string() }),
    detail: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    createdAt: isoDateTime,
  })
  .meta({ id: "AdminAuditEvent" });

export const permissionsSchema = z
  .strictObject({
    role: z.string(),
    permissions: z.array(z.string()),
    assignableRoles: z.array(z.string()),
  })
  .meta({ id: "Permissions" });

const pageQuery = {
  cursor: z
    .string()
    .max(100)
    .optional()
    .meta({ description: "`nextCursor` of the previous page." }),
  limit: z.coerce.number().int().min(1).max(100).optional(),
};

export const usersQuery = z.strictObject({
  query: safeText()
    .max(254)
    .optional()
    .meta({ description: "Part of the email or name, any case." }),
  ...pageQuery,
});
export const auditQuery = z.strictObject({ ...pageQuery });

const forbidden = 403; // a missing permission (and the CSRF check of unsafe methods)

/** The OpenAPI descriptions of the access-control plugin's routes. */
export const adminRouteDocs = {
  permissions: describeRoute({
    tags: ["auth"],
    summary: "The signed-in user's role, its permissions and the roles they may grant",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The permissions.", permissionsSchema),
      ...problemResponses(401),
    },
  }),
  listUsers: describeRoute({
    tags: TAGS,
    summary: "Search users (newest first, keyset pages) — users:read",
    security: SIGNED_IN,
    parameters: queryParameters(usersQuery),
    responses: {
      200: jsonResponse(
        "A page of users.",
        z.strictObject({ users: z.array(adminUserSchema), nextCursor: z.string().nullable() }),
      ),
      ...problemResponses(400, 401, forbidden, 503),
    },
  }),
  getUser: describeRoute({
    tags: TAGS,
    summary: "A user, their live sessions and recent security events — users:read",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse(
        "The user.",
        z.strictObject({
          user: adminUserSchema,
          sessions: z.array(adminSessionSchema),
          events: z.array(adminEventSchema),
        }),
      ),
      ...problemResponses(401, forbidden, 404, 503),
    },
  }),
  updateUser: describeRoute({
    tags: TAGS,
    summary: "Change a user's role, disable or enable them — users:write",
    description:
      "403 when granting a role the administrator does not fully hold, or acting on a user whose role does; 409 (`/problems/last-admin`) when no enabled administrator would remain.",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The user as changed.", z.strictObject({ user: adminUserSchema })),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 401, 404, 409, 503),
    },
  }),
  revokeAll: describeRoute({
    tags: TAGS,
    summary: "Sign a user out everywhere — sessions:revoke",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("Signed out.", z.strictObject({ revoked: z.int().min(0) })),
      ...problemResponses(...UNSAFE_PROBLEMS, 401, 404, 503),
    },
  }),
  revokeOne: describeRoute({
    tags: TAGS,
    summary: "Sign out one of a user's devices — sessions:revoke",
    security: SIGNED_IN,
    responses: {
      204: { description: "Signed out." },
      ...problemResponses(...UNSAFE_PROBLEMS, 401, 404, 503),
    },
  }),
  deleteUser: describeRoute({
    tags: TAGS,
    summary: "Delete a user and their data — users:write",
    security: SIGNED_IN,
    responses: {
      204: { description: "Deleted." },
      ...problemResponses(...UNSAFE_PROBLEMS, 401, 404, 409, 503),
    },
  }),
  audit: describeRoute({
    tags: TAGS,
    summary: "The administrators' actions, newest first — users:read",
    security: SIGNED_IN,
    parameters: queryParameters(auditQuery),
    responses: {
      200: jsonResponse(
        "A page of the audit log.",
        z.strictObject({ events: z.array(auditEventSchema), nextCursor: z.string().nullable() }),
      ),
      ...problemResponses(400, 401, forbidden, 503),
    },
  }),
};
