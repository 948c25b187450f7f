import type { Context, MiddlewareHandler, Next } from "hono";
import { passesThrough } from "../http/pass-through.js";
import { tokenSinkOf } from "./token-sink.js";

/**
 * The second step of a bearer sign-in (`/2fa/verify`, a passkey's) runs the browser's route
 * unchanged; in the bearer transport the session it opens went to the token sink, and this
 * adds the pair to the route's JSON answer, with the names `POST /token` uses. Any other
 * answer passes untouched.
 *
 * @example
 * new Hono().use(bearerPairInBody).route("/", secondFactorRoutes);
 */
export const bearerPairInBody: MiddlewareHandler = passesThrough(
  (c: Context, next: Next) =>
    // Only a POST opens a session: any other request (the GET hot path) goes straight on,
    // without an async frame of this layer, and a router that keeps matches leaves it out.
    c.req.method === "POST" ? addPairAfter(c, next) : next(),
  ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"],
);

async function addPairAfter(c: Context, next: Next): Promise<void> {
  await next();
  const sink = tokenSinkOf(c);
  if (!sink?.answerInBody || !sink.access || !sink.session) return;
  const response = c.res;
  if (!response.ok || !response.headers.get("Content-Type")?.startsWith("application/json")) {
    return;
  }
  const body = (await response.json()) as Record<string, unknown>;
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  c.res = undefined;
  c.res = new Response(
    JSON.stringify({
      ...body,
      access_token: sink.access.token,
      token_type: "Bearer",
      expires_in: sink.access.maxAgeSeconds,
      refresh_token: sink.session.token,
      refresh_token_expires_in: sink.session.maxAgeSeconds,
    }),
    { status: response.status, headers },
  );
}
