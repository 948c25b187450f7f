import { AuthConfigError } from "../../options/config-error.js";
import { assertKnownOptions } from "../options.js";

/** What `passkeys()` is configured with: the relying party and where ceremonies may run. */
export type PasskeysOptions = {
  /**
   * The WebAuthn relying party id: the host name the passkeys belong to (`example.com`), the
   * host of every origin or a parent domain of it. Passkeys registered under one id never
   * work under another: choose it once.
   */
  rpId: string;
  /** The name authenticators show next to the passkey ("Tidy"). */
  rpName: string;
  /**
   * The exact origins the ceremonies run on (`https://app.example.com`): https, or
   * `http://localhost` for development. Never taken from the request.
   */
  origins: readonly string[];
  /** Passkeys one account may hold (default 20, at most 100). */
  maxPasskeysPerUser?: number;
};

export type ResolvedPasskeysOptions = {
  rpId: string;
  rpName: string;
  origins: readonly string[];
  maxPasskeysPerUser: number;
  /** True when every origin is https: the challenge cookie is then `__Host-` and `Secure`. */
  httpsOnly: boolean;
};

const KNOWN = ["rpId", "rpName", "origins", "maxPasskeysPerUser"];

const fail = (key: string, problem: string) =>
  new AuthConfigError(`plugins.passkeys.${key}`, problem);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const isLocalhost = (host: string) => host === "localhost" || host.endsWith(".localhost");

/**
 * A host name an RP id can be: lower-case LDH labels (IDNs in their `xn--` form), not an IP
 * address, and more than a single label unless it is `localhost` (a bare `com` would be a
 * public suffix). Browsers check the rest (a registrable suffix of the origin's host).
 */
function checkRpId(rpId: unknown): string {
  if (typeof rpId !== "string" || rpId === "") {
    throw fail("rpId", 'is required: the site\'s host name, like "example.com"');
  }
  if (/[/:@]/.test(rpId)) {
    throw fail("rpId", `must be a host name without scheme, port or path ("${rpId}")`);
  }
  if (rpId !== rpId.toLowerCase()) throw fail("rpId", `must be lower case ("${rpId}")`);
  const labels = rpId.split(".");
  if (rpId.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw fail("rpId", `is not a valid host name ("${rpId}")`);
  }
  if (labels.every((label) => /^[0-9]+$/.test(label))) {
    throw fail("rpId", `must be a domain name, not an IP address ("${rpId}")`);
  }
  if (labels.length < 2 && rpId !== "localhost") {
    throw fail("rpId", `must be a registrable domain or a host below one ("${rpId}")`);
  }
  return rpId;
}

function checkOrigins(origins: unknown, rpId: string): string[] {
  if (!Array.isArray(origins) || origins.length === 0) {
    throw fail("origins", 'is required: the origins the app runs on, like ["https://example.com"]');
  }
  const checked: string[] = [];
  origins.forEach((origin: unknown, index) => {
    const key = `origins.${index}`;
    let url: URL;
    try {
      if (typeof origin !== "string") throw new TypeError("not a string");
      url = new URL(origin);
    } catch {
      throw fail(key, 'must be an absolute origin like "https://example.com"');
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw fail(key, `must be an http(s) origin ("${String(origin)}")`);
    }
    if (url.protocol === "http:" && !isLocalhost(url.hostname)) {
      throw fail(key, `must use https (http only for localhost) ("${String(origin)}")`);
    }
    if (url.origin !== origin) {
      throw fail(key, `must be an origin alone, like "${url.origin}" ("${String(origin)}")`);
    }
    if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
      throw fail(key, `must be on rpId "${rpId}" or a subdomain of it ("${origin}")`);
    }
    if (!checked.includes(url.origin)) checked.push(url.origin);
  });
  return checked;
}

/** Every option checked at start-up; an `AuthConfigError` names the one at fault. */
export function resolvePasskeysOptions(options: PasskeysOptions): ResolvedPasskeysOptions {
  if (typeof options !== "object" || options === null) {
    throw fail("rpId", "is required: passkeys({ rpId, rpName, origins })");
  }
  assertKnownOptions("passkeys", options, KNOWN);
  const rpId = checkRpId(options.rpId);
  const rpName = typeof options.rpName === "string" ? options.rpName.trim() : "";
  if (rpName === "" || rpName.length > 100) {
    throw fail("rpName", "is required: the product's name, 1 to 100 characters");
  }
  const origins = checkOrigins(options.origins, rpId);
  const max = options.maxPasskeysPerUser ?? 20;
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw fail("maxPasskeysPerUser", "must be an integer from 1 to 100");
  }
  return {
    rpId,
    rpName,
    origins,
    maxPasskeysPerUser: max,
    httpsOnly: origins.every((origin) => origin.startsWith("https:")),
  };
}
