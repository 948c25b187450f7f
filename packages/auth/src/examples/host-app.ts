import { Hono } from "hono";
import { createAuth, createProblemErrorHandler, type AuthEnv, type Db } from "@hybrid-auth/auth";

export async function createHostApp(db: Db, secret: string) {
  const auth = await createAuth({ db, secret });

  const app = new Hono<AuthEnv>();
  app.onError(createProblemErrorHandler());
  app.route("/api/auth", auth.routes);

  // Your own protected routes: the middleware resolves the user, requireAuth answers 401.
  app.use("/api/notes/*", auth.middleware, auth.requireAuth);
  app.get("/api/notes/mine", (c) => {
    const { userId, role } = c.get("auth")!;
    return c.json({ owner: userId, role, notes: [] });
  });

  return { app, auth };
}
