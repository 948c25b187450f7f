/**
 * A browser's cookies for one site, as far as the bench needs them: it sends every cookie it
 * holds and takes every `Set-Cookie` in, deletions included (`Max-Age=0`, a past `Expires`, or
 * an empty value). Paths, domains and the `Secure` flag are not checked: every request of the
 * bench goes to the one origin whose cookies these are.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /**
   * @example
   * const jar = new CookieJar();
   * jar.update(await fetch(url, { method: "POST", body }));
   * await fetch(url, { headers: { Cookie: jar.header() } });
   */
  constructor(header = "") {
    for (const pair of header.split(";")) {
      const at = pair.indexOf("=");
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }

  /** The `Cookie` header a browser would send: every cookie held, in the order first set. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** The value of the cookie `name`, if held. */
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** A copy, so one session can be primed for several servers from the same start. */
  clone(): CookieJar {
    return new CookieJar(this.header());
  }

  /** Takes in every `Set-Cookie` of `response`. */
  update(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === "" || expired(attributes)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

function expired(attributes: readonly string[]): boolean {
  for (const attribute of attributes) {
    const [key = "", value = ""] = attribute.split("=", 2).map((part) => part.trim());
    if (key.toLowerCase() === "max-age" && Number(value) <= 0) return true;
    if (key.toLowerCase() === "expires" && Date.parse(value) <= Date.now()) return true;
  }
  return false;
}
