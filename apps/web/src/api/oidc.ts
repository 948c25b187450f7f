import { reactive } from "vue";
import { requestJson } from "./client";

/**
 * Sign-in with OpenID Connect / OAuth 2 providers (issue 17): the buttons, the connected
 * accounts of the account page, and the link that waits for its owner to sign in. Every call
 * goes through `apiFetch` (cookies, step-up, session-ended handling) and throws `ApiError`.
 */

const AUTH = "/api/auth/oidc";

export type OidcProvider = { id: string; name: string };

export type ConnectedAccount = {
  id: string;
  provider: string;
  providerName: string;
  email: string | null;
  createdAt: string;
  lastUsedAt: string | null;
};

export type PendingLink = { provider: string; providerName: string; email: string };

/** The configured providers' names by id, once loaded (the devices page names sessions with it). */
export const providerNames = reactive(new Map<string, string>());

let loaded: Promise<OidcProvider[]> | null = null;

/** The configured providers, asked once per page load; none → `[]` (no buttons). */
export function loadProviders(): Promise<OidcProvider[]> {
  loaded ??= requestJson<{ providers: OidcProvider[] }>("GET", `${AUTH}/providers`).then(
    ({ providers }) => {
      for (const p of providers) providerNames.set(p.id, p.name);
      return providers;
    },
    (error: unknown) => {
      loaded = null;
      throw error;
    },
  );
  return loaded;
}

/** Leaves for the provider: the browser comes back through the callback. */
function go(url: string): void {
  window.location.assign(url);
}

export const oidc = {
  /** Sign in (or up) with a provider: a top-level navigation to it. */
  async signIn(providerId: string): Promise<void> {
    const { url } = await requestJson<{ url: string }>("POST", `${AUTH}/${providerId}/start`, {});
    go(url);
  },

  /** Connect a provider to the signed-in account (step-up first when it is not recent). */
  async link(providerId: string): Promise<void> {
    const { url } = await requestJson<{ url: string }>("POST", `${AUTH}/${providerId}/link`, {});
    go(url);
  },

  /** Confirm it's you at the provider (a fresh login there), then come back to `returnTo`. */
  async reauthenticate(providerId: string, returnTo: string): Promise<void> {
    const { url } = await requestJson<{ url: string }>(
      "POST",
      `${AUTH}/${providerId}/reauthenticate`,
      { returnTo },
    );
    go(url);
  },

  identities(): Promise<{ identities: ConnectedAccount[]; passwordSet: boolean }> {
    return requestJson("GET", "/api/auth/identities");
  },

  unlink(id: string): Promise<void> {
    return requestJson("DELETE", `/api/auth/identities/${id}`);
  },

  async pendingLink(): Promise<PendingLink | null> {
    return (await requestJson<{ link: PendingLink | null }>("GET", `${AUTH}/link`)).link;
  },

  async confirmLink(): Promise<ConnectedAccount> {
    return (await requestJson<{ identity: ConnectedAccount }>("POST", `${AUTH}/link/confirm`))
      .identity;
  },

  cancelLink(): Promise<void> {
    return requestJson("DELETE", `${AUTH}/link`);
  },
};

/**
 * What an `oidc_error` of the callback means to the user (`provider`: its name, when known).
 *
 * @example
 * callbackErrorMessage("access_denied", "Google"); // "You cancelled signing in with Google."
 */
export function callbackErrorMessage(code: string, provider = "the provider"): string {
  switch (code) {
    case "access_denied":
      return `You cancelled signing in with ${provider}. Nothing was changed.`;
    case "provider_unavailable":
      return `${provider} could not be reached. Try again in a moment.`;
    case "expired":
      return `That sign-in with ${provider} expired or was already used. Start again.`;
    case "state_mismatch":
      return `That sign-in with ${provider} did not start in this browser, so it was stopped. Start again here.`;
    case "invalid_response":
      return `${provider}'s answer could not be verified, so you were not signed in. Try again.`;
    case "email_unverified":
      return `${provider} did not confirm an email address for your account. Verify your email there, or sign up with a password.`;
    case "email_invalid":
      return `The email address of your ${provider} account can't be used here. Sign up with a password instead.`;
    case "identity_in_use":
      return `That ${provider} account is already connected to another account here.`;
    case "already_linked":
      return `Your account already has a ${provider} account connected.`;
    case "account_disabled":
      return "This account cannot sign in. Contact support if you think this is a mistake.";
    case "wrong_account":
      return `That is not the ${provider} account connected to yours.`;
    case "session_changed":
      return "Your session changed while you were away. Try again.";
    default:
      return `Signing in with ${provider} failed. Try again.`;
  }
}
