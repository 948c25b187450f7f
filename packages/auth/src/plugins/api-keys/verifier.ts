import type { AuthState } from "../../authenticator.js";
import type { Clock } from "../../clock.js";
import type { Db } from "../../db.js";
import type { PluginRevocations } from "../plugin.js";
import { hashSecret, isWellFormedSecret, publicKeyId } from "./format.js";
import type { ApiKeyStore } from "./store.js";

/** `rowId`: the key's row id, the subject of its revocation events. */
type Entry = { state: AuthState; rowId: string; validUntilMs: number };

export type VerifierDeps = {
  db: Db;
  clock: Clock;
  store: ApiKeyStore;
  revocations: PluginRevocations;
  prefix: string;
  cacheSize: number;
};

/**
 * Checks API keys on bearer requests (decision 033). A verified key is remembered per
 * process by its secret's hash for at most one access-token lifetime (never past its
 * expiry): later requests cost no query. The cached state carries `issuedAt` = the second
 * the lookup started, so the core's revocation list stales it as it stales an access token:
 * a key revocation (session-scope event, subject = the key id) or a user-wide one (disabled,
 * deleted, signed out everywhere) sends the next request back to the database, on every
 * process. Keys' last use is collected here and written in batches by the worker.
 */
export class ApiKeyVerifier {
  readonly #cache = new Map<string, Entry>();
  /** Key row id → last use (ms), waiting for the worker. */
  #uses = new Map<string, number>();
  /** Database lookups so far (diagnostics, tests). */
  lookups = 0;

  constructor(private readonly deps: VerifierDeps) {}

  /** `PluginParts.authenticateBearer`: the key's state, or null for anything invalid. */
  readonly authenticate = (token: string): AuthState | null | Promise<AuthState | null> => {
    const { prefix, clock } = this.deps;
    // Shape and checksum first: a typo, a forged or foreign token costs no query.
    if (!isWellFormedSecret(prefix, token)) return null;
    const hash = hashSecret(token);
    const now = clock.now();
    const entry = this.#cache.get(hash);
    if (entry) {
      if (now < entry.validUntilMs && !this.#isStale(entry)) return this.#used(entry, now);
      this.#cache.delete(hash);
    }
    return this.#lookUp(hash, now);
  };

  async #lookUp(hash: string, startedAt: number): Promise<AuthState | null> {
    const { db, store, revocations } = this.deps;
    this.lookups += 1;
    const key = await store.findActive(db, hash, startedAt);
    if (!key) return null;
    const issuedAt = Math.floor(startedAt / 1000);
    // At most one token lifetime: the revocation list forgets an event after that.
    let validUntilMs = startedAt + revocations.ttlMs;
    if (key.expiresAt) validUntilMs = Math.min(validUntilMs, key.expiresAt.getTime());
    const id = publicKeyId(key.id);
    const state: AuthState = {
      userId: key.userId,
      sessionId: id,
      role: key.role,
      issuedAt,
      expiresAt: Math.floor(validUntilMs / 1000),
      authTime: 0,
      apiKey: { id, scopes: Object.freeze([...key.scopes]) },
    };
    const entry: Entry = { state, rowId: key.id, validUntilMs };
    // The row is the truth for this request. An event of the same second (or one that
    // committed while the lookup ran) stales the state: then it is not remembered, and the
    // next request looks again.
    if (!this.#isStale(entry)) this.#remember(hash, entry);
    return this.#used(entry, this.deps.clock.now());
  }

  #remember(hash: string, entry: Entry) {
    if (this.#cache.size >= this.deps.cacheSize) {
      // Oldest first (insertion order): a bounded map, not a true LRU; good enough here.
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(hash, entry);
  }

  /** A key event names the row id; a user event (disabled, deleted…) the owner. */
  #isStale({ state, rowId }: Entry): boolean {
    const { userId, issuedAt } = state;
    return this.deps.revocations.isStale({ userId, sessionId: rowId, issuedAt });
  }

  #used(entry: Entry, now: number): AuthState {
    this.#uses.set(entry.rowId, now);
    return entry.state;
  }

  /** The last uses collected since the previous call (the worker writes them). */
  takeUses(): Map<string, number> {
    const uses = this.#uses;
    this.#uses = new Map();
    return uses;
  }

  /** Uses a failed write did not record, back in the queue (a newer use wins). */
  putBack(uses: ReadonlyMap<string, number>): void {
    for (const [id, at] of uses) {
      const newer = this.#uses.get(id);
      if (newer === undefined || newer < at) this.#uses.set(id, at);
    }
  }

  /** Forgets a key (by row id) on this process at once; its revocation event does it everywhere. */
  forget(rowId: string): void {
    for (const [hash, entry] of this.#cache) if (entry.rowId === rowId) this.#cache.delete(hash);
  }
}
