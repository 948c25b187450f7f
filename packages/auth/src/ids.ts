const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Row ids are UUIDs, written as PostgreSQL writes them: lower-case. Anything else can be
 * answered (404, ignored) without a query. Upper case is refused, not folded: PostgreSQL
 * would find the row by it, but revocation events and caches compare ids as strings, and a
 * revocation named in another spelling would miss them (a review's finding).
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
