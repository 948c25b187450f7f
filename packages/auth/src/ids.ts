const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Row ids are UUIDs: anything else can be answered (404, ignored) without a query. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
