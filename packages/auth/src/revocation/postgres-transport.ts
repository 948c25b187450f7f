import { randomUUID } from "node:crypto";
import { sql as drizzleSql } from "drizzle-orm";
import type { Tx } from "../db.js";
import type { RevocationEvent } from "./revocation-list.js";
import type { RevocationTransport, RevocationTransportHandlers } from "./transport.js";
import { isUuid } from "../ids.js";

/**
 * What the transport needs of a PostgreSQL client: postgres.js's `sql.listen`. Any client with
 * that shape works; a `postgres()` instance is one.
 */
export type ListeningClient = {
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen?: () => void,
  ): Promise<{ unlisten(): Promise<void> }>;
};

export const DEFAULT_REVOCATION_CHANNEL = "hybrid_auth_revocations";

/**
 * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; staying far below leaves room for
 * the channel name and any future field, and keeps each message one small network packet.
 */
export const MAX_PAYLOAD_BYTES = 4000;

export type PostgresRevocationTransportOptions = {
  /** The LISTEN/NOTIFY channel (default `hybrid_auth_revocations`); at most 63 bytes. */
  channel?: string;
  /** Problems that cannot be thrown to a caller: a failed reload after a reconnect. */
  onError?: (error: unknown) => void;
  /**
   * How long `start` waits for its test notification (default 5000 ms): one committed through
   * the database revocations are published to must reach the LISTEN connection, or `start`
   * rejects with {@link RevocationDeliveryError}.
   */
  deliveryCheckMs?: number;
};

/**
 * `start` sent a notification through the database and the LISTEN connection never got it:
 * revocations would not reach the other processes. The usual cause is a pooler in transaction
 * mode (PgBouncer `pool_mode = transaction`) in front of the LISTEN client, which hands its
 * session to other clients after each statement: LISTEN needs a direct connection.
 */
export class RevocationDeliveryError extends Error {
  override name = "RevocationDeliveryError";
}

/**
 * The wire format, one JSON object per notification, all events of one not-before instant:
 * `{"v":1,"n":<ms since epoch>,"s":[session ids],"u":[user ids]}`.
 */
type Payload = { v: 1; n: number; s: string[]; u: string[] };

/**
 * Encodes events as compact NOTIFY payloads, each at most `maxBytes` long: grouped by
 * not-before instant, and chunked when one change revokes many sessions at once.
 */
export function encodeRevocationPayloads(
  events: readonly RevocationEvent[],
  maxBytes: number = MAX_PAYLOAD_BYTES,
): string[] {
  const byInstant = new Map<number, RevocationEvent[]>();
  for (const event of events) {
    const group = byInstant.get(event.notBefore);
    if (group) group.push(event);
    else byInstant.set(event.notBefore, [event]);
  }
  const payloads: string[] = [];
  for (const [notBefore, group] of byInstant) {
    let current: Payload = { v: 1, n: notBefore, s: [], u: [] };
    // Every id is ASCII, so string length is byte length: the running size is exact.
    const emptySize = JSON.stringify(current).length;
    let size = emptySize;
    for (const event of group) {
      const added = event.subjectId.length + 3; // quotes and a comma
      if (size + added > maxBytes && size > emptySize) {
        payloads.push(JSON.stringify(current));
        current = { v: 1, n: notBefore, s: [], u: [] };
        size = emptySize;
      }
      (event.scope === "session" ? current.s : current.u).push(event.subjectId);
      size += added;
    }
    if (size > emptySize) payloads.push(JSON.stringify(current));
  }
  return payloads;
}

/** The events of one notification; `undefined` for anything that is not a valid payload. */
export function decodeRevocationPayload(payload: string): RevocationEvent[] | undefined {
  if (payload.length > 8000) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { v, n, s, u } = value as Record<string, unknown>;
  if (v !== 1 || typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0) return undefined;
  if (!isIdList(s) || !isIdList(u)) return undefined;
  return [
    ...s.map((subjectId) => ({ scope: "session" as const, subjectId, notBefore: n })),
    ...u.map((subjectId) => ({ scope: "user" as const, subjectId, notBefore: n })),
  ];
}

function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === "string" && isUuid(id));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Revocation events over PostgreSQL `LISTEN/NOTIFY`, for several API processes on one
 * database. Publishing is `pg_notify` inside the revoking transaction: PostgreSQL delivers
 * at commit and drops the notification on rollback. Receiving uses one dedicated connection
 * per process (`sql.listen`); postgres.js re-establishes it after a disconnect and then calls
 * back, and every (re)connect reloads the recent events from `revocation_events`, so nothing
 * published while the connection was down is missed.
 *
 * `start` first checks the path end to end: a test notification committed through the
 * database (as `publish` does) must come back on the LISTEN connection, else it rejects with
 * {@link RevocationDeliveryError} instead of losing every revocation silently. Behind a pooler
 * in transaction mode, pass a client on a direct connection (the pooler is fine for the rest).
 *
 * @example
 * const listener = postgres(directUrl); // straight to PostgreSQL, not through PgBouncer
 * const auth = await createAuth({ db, secret, revocationTransport: createPostgresRevocationTransport(listener) });
 */
export function createPostgresRevocationTransport(
  sql: ListeningClient,
  options: PostgresRevocationTransportOptions = {},
): RevocationTransport {
  const channel = options.channel ?? DEFAULT_REVOCATION_CHANNEL;
  if (channel.length === 0 || Buffer.byteLength(channel) > 63) {
    throw new Error("The revocation channel name must be 1 to 63 bytes long.");
  }
  const deliveryCheckMs = options.deliveryCheckMs ?? 5000;
  if (!Number.isInteger(deliveryCheckMs) || deliveryCheckMs < 1) {
    throw new Error("deliveryCheckMs must be a positive whole number of milliseconds.");
  }
  const onError =
    options.onError ??
    ((error: unknown) => console.error("revocation transport: reload failed", error));
  let handlers: RevocationTransportHandlers | undefined;
  let subscription: { unlisten(): Promise<void> } | undefined;
  let started = false;
  let stopped = false;
  /** Bumped on each reconnect, so an older retry loop gives way to a newer one. */
  let generation = 0;

  /** The test notification `start` waits for, and what to call when it arrives. */
  let probe: { payload: string; arrived: () => void } | undefined;

  const receive = (payload: string) => {
    if (probe?.payload === payload) return probe.arrived();
    const events = decodeRevocationPayload(payload);
    if (!events || !handlers) return; // not ours, or malformed: ignore
    try {
      handlers.onEvents(events);
    } catch (error) {
      onError(error);
    }
  };

  /** After a reconnect: reload until it succeeds (the database may still be flapping). */
  const reloadAfterReconnect = async () => {
    const mine = (generation += 1);
    for (let attempt = 0; !stopped && mine === generation; attempt += 1) {
      try {
        await handlers!.onConnected();
        return;
      } catch (error) {
        onError(error);
        await sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
  };

  /**
   * Commits a test notification through the publishing database and waits for it here. Other
   * processes ignore it: it is not a revocation payload.
   */
  const checkDelivery = async (receiver: RevocationTransportHandlers) => {
    const payload = JSON.stringify({ probe: randomUUID() });
    const arrival = new Promise<void>((arrived) => (probe = { payload, arrived }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), deliveryCheckMs);
    });
    try {
      await receiver.inTransaction((tx) =>
        tx.execute(drizzleSql`select pg_notify(${channel}, ${payload})`),
      );
      if ((await Promise.race([arrival, timeout])) === "timeout") {
        throw new RevocationDeliveryError(
          `A notification committed on channel "${channel}" did not reach the LISTEN ` +
            `connection within ${deliveryCheckMs} ms: revocations would not reach the other ` +
            "processes. Is the LISTEN client behind a pooler in transaction mode (PgBouncer " +
            "pool_mode = transaction)? Give it a direct connection to the same database.",
        );
      }
    } finally {
      clearTimeout(timer);
      probe = undefined;
    }
  };

  return {
    async publish(tx: Tx, events: readonly RevocationEvent[]): Promise<void> {
      const payloads = encodeRevocationPayloads(events);
      if (payloads.length === 0) return;
      const notifies = payloads.map((payload) => drizzleSql`pg_notify(${channel}, ${payload})`);
      await tx.execute(drizzleSql`select ${drizzleSql.join(notifies, drizzleSql`, `)}`);
    },

    async start(receiver: RevocationTransportHandlers): Promise<void> {
      if (started) throw new Error("The revocation transport is already started.");
      handlers = receiver;
      // Listen first, then load: an event committed in between arrives as a notification.
      subscription = await sql.listen(channel, receive, () => {
        // The first call is the initial subscription, awaited below; later ones are reconnects.
        if (started && !stopped) void reloadAfterReconnect();
      });
      started = true;
      try {
        await checkDelivery(receiver);
      } catch (error) {
        stopped = true;
        await subscription.unlisten().catch(() => {});
        throw error;
      }
      await receiver.onConnected();
    },

    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await subscription?.unlisten().catch(() => {});
    },
  };
}
