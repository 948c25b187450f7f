import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export type CookieSettings = {
  /**
   * Production: `__Host-` names with `Secure; HttpOnly; SameSite=Lax; Path=/`.
   * Off only for plain-http local development.
   */
  secure: boolean;
  accessName: string;
  sessionName: string;
};

/** The two auth cookies: reading, setting and clearing them with the right attributes. */
export class AuthCookies {
  readonly #prefix: "host" | undefined;
  constructor(readonly settings: CookieSettings) {
    this.#prefix = settings.secure ? "host" : undefined;
  }

  readAccess(c: Context): string | undefined {
    return this.#read(c, this.settings.accessName);
  }

  readSession(c: Context): string | undefined {
    return this.#read(c, this.settings.sessionName);
  }

  setAccess(c: Context, token: string, maxAgeSeconds: number): void {
    this.#set(c, this.settings.accessName, token, maxAgeSeconds);
  }

  setSession(c: Context, token: string, maxAgeSeconds: number): void {
    this.#set(c, this.settings.sessionName, token, maxAgeSeconds);
  }

  clear(c: Context): void {
    for (const name of [this.settings.accessName, this.settings.sessionName]) {
      deleteCookie(c, name, {
        path: "/",
        secure: this.settings.secure,
        httpOnly: true,
        sameSite: "Lax",
        ...(this.#prefix ? { prefix: this.#prefix } : {}),
      });
    }
  }

  #read(c: Context, name: string): string | undefined {
    const value = this.#prefix ? getCookie(c, name, this.#prefix) : getCookie(c, name);
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
