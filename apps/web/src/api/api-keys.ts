import { requestJson } from "./client";

/**
 * The API-key routes of issue 18 (`/api/auth/api-keys`). The server's typed routes do not
 * cover this plugin, so the shapes below follow the HTTP contract; every call goes through
 * `apiFetch` (cookies, session-ended handling, and the step-up dialog when creating a key
 * needs a recent sign-in) and throws `ApiError` on a non-2xx answer.
 */

const API_KEYS = "/api/auth/api-keys";

/** A key as the server lists it: never its secret, only the first characters (`prefix`). */
export type ApiKey = {
  id: string;
  name: string;
  /** The secret's first few characters, e.g. `hak_3fA9`: enough to recognise it. */
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
};

/** A scope a key may hold, with the server's words for what it allows. */
export type ApiKeyScope = { name: string; description: string };

export type ApiKeyList = { apiKeys: ApiKey[]; scopes: ApiKeyScope[]; limit: number };

export type NewApiKey = {
  name: string;
  scopes: string[];
  /** An ISO date-time; `null` (or absent): the key never expires. */
  expiresAt?: string | null;
};

/** The answer to a creation: the key, and its secret — the only time the secret is sent. */
export type CreatedApiKey = { apiKey: ApiKey; secret: string };

export const apiKeys = {
  /**
   * The user's keys, the scopes a key may hold and how many keys a user may have.
   *
   * @example
   * const { apiKeys: keys, scopes, limit } = await apiKeys.list();
   */
  list(): Promise<ApiKeyList> {
    return requestJson("GET", API_KEYS);
  },

  /**
   * Creates a key. Needs a recent sign-in: a 401 "reauthentication required" opens the
   * step-up dialog and the same request is sent again once the user confirmed (a cancelled
   * dialog rejects with `isStepUpCancelled`). 409 past the per-user limit; 400/422 with field
   * errors (`/name`, `/scopes`, `/expiresAt`).
   *
   * @example
   * const { apiKey, secret } = await apiKeys.create({ name: "Backup script", scopes: ["todos:read"] });
   */
  create(key: NewApiKey): Promise<CreatedApiKey> {
    return requestJson("POST", API_KEYS, key);
  },

  /**
   * Revokes a key: it stops working on the next request. 404 when it is already gone.
   *
   * @example
   * await apiKeys.revoke(key.id);
   */
  async revoke(id: string): Promise<void> {
    await requestJson("DELETE", `${API_KEYS}/${encodeURIComponent(id)}`);
  },
};
