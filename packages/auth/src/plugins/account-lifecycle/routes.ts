import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { readPeerFirst } from "../../abuse/limiter-client.js";
import type { AuthEnv } from "../../authenticator.js";
import { displayName, jsonBody, safeText } from "../../http/json-body.js";
import type { LifecycleDeps } from "./deps.js";
import { deleteAccount } from "./flows/delete-account.js";
import { confirmEmailChange, requestEmailChange } from "./flows/email-change.js";
import { exportAccount } from "./flows/export.js";
import { newSignInAlertsWanted, setNewSignInAlerts } from "./flows/new-sign-in.js";
import { checkResetLink, forgotPassword, resetPassword } from "./flows/password-reset.js";
import { updateProfile } from "./flows/profile.js";
import { requestVerification, requestVerificationFor, verifyEmail } from "./flows/verify-email.js";
import { accountRouteDocs as docs } from "./openapi.js";
import { emailAddress } from "../../users/email-address.js";

const email = emailAddress;
const password = safeText().min(1, "is required").max(4096, "is too long");
/** Links carry 43 characters; anything much longer is not one of ours. */
const token = z.string().min(1, "is required").max(200, "is not a valid link token");

const emailBody = z.strictObject({ email });
const tokenBody = z.strictObject({ token });
const resetBody = z.strictObject({ token, newPassword: password });
const changeEmailBody = z.strictObject({ newEmail: email, password });
const profileBody = z.strictObject({
  name: displayName().nullable(),
});
const deleteBody = z.strictObject({ password });
const notificationsBody = z.strictObject({ newSignInAlerts: z.boolean() });

/** One answer for every queued mail, whoever asked and whatever happens to it. */
const ACCEPTED = {
  verification:
    "If the address belongs to an account that is not verified yet, a new link is on its way.",
  verificationSent: "A new verification link is on its way.",
  forgot: "If an account uses this email, a link to reset its password is on its way.",
  emailChange: "A confirmation link is on its way to the new address.",
};

/**
 * Validates the body only for requests without a user: `POST /email/verify/request` takes no
 * body when signed in, and `{email}` when not.
 */
function bodyWhenSignedOut(validate: MiddlewareHandler): MiddlewareHandler<AuthEnv> {
  const middleware: MiddlewareHandler<AuthEnv> = (c, next) =>
    c.get("auth") ? next() : validate(c, next);
  // The OpenAPI document finds the body schema on the middleware (see `jsonBody`).
  for (const key of Object.getOwnPropertySymbols(validate)) {
    Object.assign(middleware, { [key]: (validate as unknown as Record<symbol, unknown>)[key] });
  }
  return middleware;
}

/** The plugin's routes, mounted under the host's auth path. */
export function accountRoutes(deps: LifecycleDeps) {
  const { requireAuth, requireRecentAuth } = deps.context;
  return new Hono<AuthEnv>()
    .post(
      "/email/verify/request",
      docs.requestVerification,
      readPeerFirst,
      bodyWhenSignedOut(jsonBody(emailBody)),
      async (c) => {
        const auth = c.get("auth");
        if (auth) {
          await requestVerification(deps, c, auth.userId);
          return c.json({ message: ACCEPTED.verificationSent }, 202);
        }
        const body = (
          c.req as unknown as { valid(target: "json"): z.output<typeof emailBody> }
        ).valid("json");
        await requestVerificationFor(deps, c, body.email);
        return c.json({ message: ACCEPTED.verification }, 202);
      },
    )
    .post("/email/verify", docs.verify, readPeerFirst, jsonBody(tokenBody), async (c) => {
      await verifyEmail(deps, c, c.req.valid("json").token);
      return c.body(null, 204);
    })
    .post("/password/forgot", docs.forgot, readPeerFirst, jsonBody(emailBody), async (c) => {
      await forgotPassword(deps, c, c.req.valid("json").email);
      return c.json({ message: ACCEPTED.forgot }, 202);
    })
    .post(
      "/password/reset/check",
      docs.checkReset,
      readPeerFirst,
      jsonBody(tokenBody),
      async (c) => {
        await checkResetLink(deps, c, c.req.valid("json").token);
        return c.body(null, 204);
      },
    )
    .post("/password/reset", docs.reset, readPeerFirst, jsonBody(resetBody), async (c) => {
      await resetPassword(deps, c, c.req.valid("json"));
      return c.body(null, 204);
    })
    .post(
      "/email/change",
      docs.changeEmail,
      requireAuth,
      requireRecentAuth,
      readPeerFirst,
      jsonBody(changeEmailBody),
      async (c) => {
        await requestEmailChange(deps, c, c.get("auth"), c.req.valid("json"));
        return c.json({ message: ACCEPTED.emailChange }, 202);
      },
    )
    .post(
      "/email/change/confirm",
      docs.confirmEmailChange,
      readPeerFirst,
      jsonBody(tokenBody),
      async (c) => {
        await confirmEmailChange(deps, c, c.req.valid("json").token);
        return c.body(null, 204);
      },
    )
    .patch("/me", docs.updateProfile, requireAuth, jsonBody(profileBody), async (c) => {
      const user = await updateProfile(deps, c, c.get("auth"), c.req.valid("json"));
      return c.json({ user }, 200);
    })
    .delete(
      "/me",
      docs.deleteAccount,
      requireAuth,
      requireRecentAuth,
      readPeerFirst,
      jsonBody(deleteBody),
      async (c) => {
        await deleteAccount(deps, c, c.get("auth"), c.req.valid("json"));
        return c.body(null, 204);
      },
    )
    .get("/me/export", docs.exportData, requireAuth, async (c) => {
      const auth = c.get("auth");
      await deps.limits.exportsPerAccount.consume(auth.userId);
      const data = await exportAccount(deps, auth.userId);
      const day = data.exportedAt.slice(0, 10);
      const name = deps.options.productName.toLowerCase().replace(/[^a-z0-9]+/g, "-") || "account";
      c.header("Content-Disposition", `attachment; filename="${name}-export-${day}.json"`);
      return c.json(data, 200);
    })
    .get("/me/notifications", docs.notifications, requireAuth, async (c) => {
      const wanted = await newSignInAlertsWanted(deps, deps.context.db, c.get("auth").userId);
      return c.json({ newSignInAlerts: wanted }, 200);
    })
    .patch(
      "/me/notifications",
      docs.updateNotifications,
      requireAuth,
      jsonBody(notificationsBody),
      async (c) => {
        const { newSignInAlerts } = c.req.valid("json");
        await setNewSignInAlerts(deps, c.get("auth").userId, newSignInAlerts);
        return c.json({ newSignInAlerts }, 200);
      },
    );
}
