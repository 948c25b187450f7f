import { Hono } from "hono";
import {
  createAuth,
  createProblemErrorHandler,
  migrateAuth,
  securityEvents,
  type AuthEnv,
  type Db,
} from "@hybrid-auth/auth";

export async function createHostApp(db: Db, secret: string) {
  const options = { db, secret, plugins: [securityEvents()] };
  await migrateAuth(options); // creates or upgrades the package's tables; idempotent
  const auth = await createAuth(options);

  const app = new Hono<AuthEnv>();
  app.onError(createProblemErrorHandler());
  app.route("/api/auth", auth.routes);

  // Your own protected routes: the middleware resolves the user, requireAuth answers 401.
  app.get("/api/notes/mine", auth.middleware, auth.requireAuth, (c) => {
    const { userId, role } = c.get("auth"); // never null after requireAuth
    return c.json({ owner: userId, role, notes: [] });
  });

  return { app, auth };
}
