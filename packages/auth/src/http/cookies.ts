import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { readCookie } from "./cookie-header.js";
import { tokenSinkOf, useBearerTransport, type IssuedToken } from "../bearer/token-sink.js";
import { MIXED_CREDENTIALS } from "./bearer.js";
import { ProblemError } from "./problem.js";

/** Where a client without cookies sends its pending second-factor sign-in. */
export const PENDING_SIGN_IN_HEADER = "Auth-Pending-Sign-In";

export type CookieSettings = {
  /**
   * Production: `__Host-` names with `Secure; HttpOnly; SameSite=Lax; Path=/`.
   * Off only for plain-http local development.
   */
  secure: boolean;
  accessName: string;
  sessionName: string;
  /** The sign-in waiting for its second factor (`auth_pending`). */
  pendingName?: string | undefined;
  /**
   * The raw `Cookie` header. The default asks the Fetch API request; a Node server can read
   * `IncomingMessage` directly and skip building a `Headers` object on every request.
   */
  readCookieHeader?: ((c: Context) => string | undefined) | undefined;
};

const fetchCookieHeader = (c: Context) => c.req.header("Cookie");

/** The two auth cookies: reading, setting and clearing them with the right attributes. */
export class AuthCookies {
  readonly #prefix: "host" | undefined;
  readonly #readHeader: (c: Context) => string | undefined;
  readonly #accessName: string;
  readonly #sessionName: string;
  readonly #pendingName: string;
  readonly #pendingBase: string;

  constructor(readonly settings: CookieSettings) {
    this.#prefix = settings.secure ? "host" : undefined;
    this.#readHeader = settings.readCookieHeader ?? fetchCookieHeader;
    // The names on the wire: `__Host-` is part of the name, so a cookie planted without it
    // (over plain http, or by a sibling subdomain) is never read in a secure deployment.
    const onWire = (name: string) => (settings.secure ? `__Host-${name}` : name);
    this.#accessName = onWire(settings.accessName);
    this.#sessionName = onWire(settings.sessionName);
    this.#pendingBase = settings.pendingName ?? "auth_pending";
    this.#pendingName = onWire(this.#pendingBase);
  }

  readAccess(c: Context): string | undefined {
    return this.#read(c, this.#accessName);
  }

  readSession(c: Context): string | undefined {
    return this.#read(c, this.#sessionName);
  }

  /** Sets the access cookie, or (a request in the bearer transport) hands the token over. */
  setAccess(c: Context, token: string, maxAgeSeconds: number): void {
    if (!issueTo(c, "access", token, maxAgeSeconds)) {
      this.#set(c, this.settings.accessName, token, maxAgeSeconds);
    }
  }

  /** Sets the session cookie, or (a request in the bearer transport) hands the token over. */
  setSession(c: Context, token: string, maxAgeSeconds: number): void {
    if (!issueTo(c, "session", token, maxAgeSeconds)) {
      this.#set(c, this.settings.sessionName, token, maxAgeSeconds);
    }
  }

  /**
   * The pending second-factor sign-in; read only by the second-factor routes. A client
   * without cookies sends it in the `Auth-Pending-Sign-In` header (from `POST /token`): the
   * request then joins the bearer transport, and the route's answer carries the pair. With
   * auth or pending cookies as well: 400 `/problems/mixed-credentials`.
   */
  readPending(c: Context): string | undefined {
    const header = c.req.header(PENDING_SIGN_IN_HEADER);
    if (header === undefined) return this.#read(c, this.#pendingName);
    const cookies = [this.#pendingName, this.#accessName, this.#sessionName];
    if (cookies.some((name) => this.#read(c, name) !== undefined)) {
      throw new ProblemError(MIXED_CREDENTIALS);
    }
    (tokenSinkOf(c) ?? useBearerTransport(c)).answerInBody = true;
    return header;
  }

  setPending(c: Context, token: string, maxAgeSeconds: number): void {
    if (!issueTo(c, "pending", token, maxAgeSeconds)) {
      this.#set(c, this.#pendingBase, token, maxAgeSeconds);
    }
  }

  clearPending(c: Context): void {
    if (tokenSinkOf(c)) return;
    this.#delete(c, this.#pendingBase);
  }

  /** Clears both auth cookies (nothing to clear for a request in the bearer transport). */
  clear(c: Context): void {
    if (tokenSinkOf(c)) return;
    for (const name of [this.settings.accessName, this.settings.sessionName]) this.#delete(c, name);
  }

  #delete(c: Context, name: string): void {
    deleteCookie(c, name, {
      path: "/",
      secure: this.settings.secure,
      httpOnly: true,
      sameSite: "Lax",
      ...(this.#prefix ? { prefix: this.#prefix } : {}),
    });
  }

  #read(c: Context, wireName: string): string | undefined {
    const header = this.#readHeader(c);
    if (!header) return undefined;
    const value = readCookie(header, wireName);
    return value === "" ? undefined : value;
  }

  #set(c: Context, name: string, value: string, maxAgeSeconds: number): void {
    setCookie(c, name, value, {
      path: "/",
      secure: this.settings.secure,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
      ...(this.#prefix ? { prefix: this.#prefix } : {}),
    });
  }
}

/** Hands a token to the request's bearer-transport sink; `false` when it uses cookies. */
function issueTo(
  c: Context,
  kind: "access" | "session" | "pending",
  token: string,
  maxAgeSeconds: number,
): boolean {
  const sink = tokenSinkOf(c);
  if (!sink) return false;
  const issued: IssuedToken = { token, maxAgeSeconds: Math.max(0, Math.floor(maxAgeSeconds)) };
  sink[kind] = issued;
  return true;
}
