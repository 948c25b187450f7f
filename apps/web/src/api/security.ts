import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/browser";
import { requestJson, type User } from "./client";

/**
 * The second-factor (TOTP, recovery codes), passkey and step-up routes of issue 15. The server's
 * typed routes do not cover these plugins, so the shapes below follow the HTTP contract; every
 * call goes through `apiFetch` (cookies, session-ended and step-up handling) and throws
 * `ApiError` on a non-2xx answer.
 */

const AUTH = "/api/auth";

/** `POST /login` with a second factor enrolled: no session yet, a second step is needed. */
export type SecondFactorChallenge = { twoFactorRequired: true; methods: string[] };

export type TwoFactorStatus = {
  totp: { enabled: boolean; enabledAt: string | null };
  recoveryCodes: { remaining: number };
};

export type TotpSetup = { secret: string; uri: string };

export type Passkey = {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** "singleDevice" (device-bound) or "multiDevice" (synced). */
  deviceType: string;
  backedUp: boolean;
};

/** What a passkey ceremony is for: the server binds its challenge to it. */
export type PasskeyPurpose = "sign-in" | "second-factor" | "reauthenticate";

export const twoFactor = {
  status(): Promise<TwoFactorStatus> {
    return requestJson("GET", `${AUTH}/2fa`);
  },

  /** Starts (or restarts) enrolment: a new unconfirmed secret. Step-up. */
  setupTotp(): Promise<TotpSetup> {
    return requestJson("POST", `${AUTH}/2fa/totp/setup`);
  },

  /** Confirms enrolment with a code from the app: the 10 recovery codes, shown once. */
  async enableTotp(code: string): Promise<string[]> {
    const body = await requestJson<{ recoveryCodes: string[] }>("POST", `${AUTH}/2fa/totp/enable`, {
      code,
    });
    return body.recoveryCodes;
  },

  /** Step-up. Also deletes the recovery codes. */
  async disableTotp(): Promise<void> {
    await requestJson("POST", `${AUTH}/2fa/totp/disable`);
  },

  /** Step-up. The old codes stop working. */
  async regenerateRecoveryCodes(): Promise<string[]> {
    const body = await requestJson<{ recoveryCodes: string[] }>(
      "POST",
      `${AUTH}/2fa/recovery-codes/regenerate`,
    );
    return body.recoveryCodes;
  },

  /** The second step of a sign-in (the pending cookie): a code or a recovery code. */
  async verify(proof: { code: string } | { recoveryCode: string }): Promise<User> {
    const body = await requestJson<{ user: User }>("POST", `${AUTH}/2fa/verify`, proof);
    return body.user;
  },
};

export const passkeys = {
  async list(): Promise<Passkey[]> {
    const body = await requestJson<{ passkeys: Passkey[] }>("GET", `${AUTH}/passkeys`);
    return body.passkeys;
  },

  /** Step-up. */
  registrationOptions(): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return requestJson("POST", `${AUTH}/passkeys/register/options`);
  },

  async register(name: string, response: RegistrationResponseJSON): Promise<Passkey> {
    const body = await requestJson<{ passkey: Passkey }>("POST", `${AUTH}/passkeys/register`, {
      name,
      response,
    });
    return body.passkey;
  },

  async rename(id: string, name: string): Promise<Passkey> {
    const body = await requestJson<{ passkey: Passkey }>(
      "PATCH",
      `${AUTH}/passkeys/${encodeURIComponent(id)}`,
      { name },
    );
    return body.passkey;
  },

  /** Step-up. */
  async remove(id: string): Promise<void> {
    await requestJson("DELETE", `${AUTH}/passkeys/${encodeURIComponent(id)}`);
  },

  authenticationOptions(purpose: PasskeyPurpose): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return requestJson("POST", `${AUTH}/passkeys/authenticate/options`, { purpose });
  },

  /** Answers `{user}` (sign-in, second factor) or `{authTime}` (reauthenticate). */
  authenticate(response: AuthenticationResponseJSON): Promise<{ user?: User; authTime?: string }> {
    return requestJson("POST", `${AUTH}/passkeys/authenticate`, { response });
  },
};

export const reauthenticate = {
  /** 422 at /password when wrong; 403 (with methods) when a password is not enough. */
  async withPassword(password: string): Promise<void> {
    await requestJson("POST", `${AUTH}/reauthenticate`, { password });
  },

  async withTotp(code: string): Promise<void> {
    await requestJson("POST", `${AUTH}/reauthenticate/totp`, { code });
  },
};

/** Whether this browser can do WebAuthn at all (the passkey buttons hide otherwise). */
export function browserSupportsPasskeys(): boolean {
  return typeof window !== "undefined" && typeof window.PublicKeyCredential === "function";
}

/**
 * Runs a whole passkey authentication: options for `purpose`, the browser's prompt, the server's
 * check. @simplewebauthn/browser is loaded on first use (it is not in the initial bundle).
 */
export async function authenticateWithPasskey(
  purpose: PasskeyPurpose,
): Promise<{ user?: User; authTime?: string }> {
  const optionsJSON = await passkeys.authenticationOptions(purpose);
  const { startAuthentication } = await import("@simplewebauthn/browser");
  const response = await startAuthentication({ optionsJSON });
  return passkeys.authenticate(response);
}

/** Creates a passkey in the browser and stores it on the account under `name`. */
export async function registerPasskey(name: string): Promise<Passkey> {
  const optionsJSON = await passkeys.registrationOptions();
  const { startRegistration } = await import("@simplewebauthn/browser");
  const response = await startRegistration({ optionsJSON });
  return passkeys.register(name, response);
}

/**
 * What to tell the user when the browser's passkey prompt failed (not a server answer): closed,
 * timed out, or this authenticator is already registered. `undefined` for anything else.
 */
export function passkeyPromptProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || error.name === "InvalidStateError") {
    return "This device already holds a passkey for your account.";
  }
  if (error.name === "NotAllowedError" || error.name === "AbortError") {
    return "The passkey prompt was closed or timed out. Try again when you're ready.";
  }
  if (error.name === "SecurityError") {
    return "This browser refused to use a passkey on this site.";
  }
  if (error.name === "NotSupportedError") {
    return "This browser or device can't use passkeys here.";
  }
  return undefined;
}

/** What to tell the user when an attempt failed: the passkey prompt's problem, the error's
 * message, or `fallback` for something that is not an Error. */
export function failureMessage(error: unknown, fallback: string): string {
  return passkeyPromptProblem(error) ?? (error instanceof Error ? error.message : fallback);
}
