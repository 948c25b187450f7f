import type { Context } from "hono";

/** A token the core would have put in a cookie, and how long it lives (seconds). */
export type IssuedToken = { token: string; maxAgeSeconds: number };

/**
 * What a request in the bearer transport was issued instead of cookies: the session's access
 * token, its session (refresh) token when it is new, and a pending second-factor sign-in.
 */
export type TokenSink = {
  access?: IssuedToken;
  session?: IssuedToken;
  pending?: IssuedToken;
  /**
   * A route that is not the token endpoint opened the session (the second step of a bearer
   * sign-in): its JSON answer gets the pair added (see `bearerPairInBody`).
   */
  answerInBody?: true;
};

const SINK = "authTokenSink";

/**
 * Puts this request in the bearer transport: from now on the core's cookie writes (sign-in,
 * reissue, rotation, clearing) go to the returned sink, never to `Set-Cookie`. One
 * implementation of sessions, two transports (docs/decisions/035-bearer-transport.md).
 *
 * @example
 * const sink = useBearerTransport(c);
 * await login(runtime, c, body); // sink.access and sink.session now hold the pair
 */
export function useBearerTransport(c: Context): TokenSink {
  const sink: TokenSink = {};
  c.set(SINK as never, sink as never);
  return sink;
}

/** The request's sink when it is in the bearer transport, else `undefined` (cookies). */
export function tokenSinkOf(c: Context): TokenSink | undefined {
  return c.get(SINK as never) as TokenSink | undefined;
}
