/**
 * A bounded map from already-verified token strings to their claims. A hit skips the HMAC and
 * the JSON parsing; callers still check expiry and revocation on every hit. When full, the
 * oldest insertion is dropped (Map keeps insertion order), so memory stays bounded.
 *
 * Entries are found by the token's last segment (a JWT's signature: short, and unique per
 * token), which hashes several times faster than the whole string on every request; a hit
 * counts only when the whole token is equal too.
 */
export class VerifiedTokenCache<V> {
  readonly #entries = new Map<string, { token: string; value: V }>();
  constructor(readonly maxEntries: number) {}

  get(token: string): V | undefined {
    const entry = this.#entries.get(lookupKey(token));
    return entry !== undefined && entry.token === token ? entry.value : undefined;
  }

  set(token: string, value: V): void {
    const key = lookupKey(token);
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { token, value });
  }

  delete(token: string): void {
    const key = lookupKey(token);
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

const lookupKey = (token: string) => token.slice(token.lastIndexOf(".") + 1);
