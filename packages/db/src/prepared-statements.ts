import type postgres from "postgres";

type Sql = postgres.Sql;
type Callback = (sql: Sql) => unknown;

/**
 * Queries with more parameters than this stay unnamed. A connection keeps every statement it
 * prepared until it is renewed, and a long parameter list is nearly always one whose length
 * follows the data (`inArray` over a batch, a multi-row insert): prepared, each length would
 * leave a statement behind. So a query site holds at most this many statements per connection.
 */
export const MAX_PREPARED_PARAMETERS = 32;

/**
 * The postgres.js client drizzle should be given: its queries ask for named prepared
 * statements, as postgres.js's own tagged queries do.
 *
 * drizzle's postgres.js driver runs each query through `sql.unsafe(text, params, { prepare:
 * false })` unless the query was given a name (drizzle-team/drizzle-orm#6096). postgres.js then
 * sends an unnamed statement: with parameters, one round trip to learn their types and a
 * second to run it, and PostgreSQL parses and plans it every time. Here `unsafe` asks for
 * `prepare: true` instead (up to {@link MAX_PREPARED_PARAMETERS} parameters), in transactions
 * and savepoints too; postgres.js still combines it with the client's own `prepare` option, so
 * a client made with `prepare: false` (behind a pooler in transaction mode) stays unprepared. Each connection then keeps one statement per
 * query text, and a query takes one round trip from its second run on.
 *
 * @example
 * const client = postgres(url);
 * const db = drizzle(preparingClient(client)); // one round trip per query, not two
 */
export function preparingClient(sql: Sql): Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      switch (property) {
        case "unsafe":
          return (text: string, params?: unknown[], options?: object) =>
            target.unsafe(
              text,
              params as never,
              (params?.length ?? 0) <= MAX_PREPARED_PARAMETERS
                ? { ...options, prepare: true }
                : options,
            );
        case "begin":
        case "savepoint":
          return (...args: unknown[]) => {
            const callback = args.pop() as Callback;
            const run = Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown;
            return run.call(target, ...args, (inner: Sql) => callback(preparingClient(inner)));
          };
        default:
          return Reflect.get(target, property, receiver);
      }
    },
  });
}
