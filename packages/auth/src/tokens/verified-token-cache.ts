/**
 * A bounded map from already-verified token strings to their claims. A hit skips the HMAC and
 * the JSON parsing; callers still check expiry and revocation on every hit. When full, the
 * oldest insertion is dropped (Map keeps insertion order), so memory stays bounded.
 */
export class VerifiedTokenCache<V> {
  readonly #entries = new Map<string, V>();
  constructor(readonly maxEntries: number) {}

  get(token: string): V | undefined {
    return this.#entries.get(token);
  }

  set(token: string, value: V): void {
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(token, value);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }
}
