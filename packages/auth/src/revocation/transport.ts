import type { Tx } from "../db.js";
import type { RevocationEvent } from "./revocation-list.js";

export type RevocationTransportHandlers = {
  /** Events published by other processes. */
  onEvents(events: RevocationEvent[]): void;
  /**
   * Called once the transport is (re)connected: the receiver reloads recent events from the
   * database, so nothing published while it was disconnected is missed.
   */
  onConnected(): Promise<void>;
  /**
   * Runs `work` in a transaction on the database revocations are published to, as `publish`
   * is run: a transport checks at start that what is published there reaches it.
   */
  inTransaction(work: (tx: Tx) => Promise<unknown>): Promise<unknown>;
};

/**
 * Carries revocation events between API processes. The revoking process applies its own
 * events locally right after commit; a transport only has to reach the others.
 */
export interface RevocationTransport {
  /**
   * Called inside the revoking transaction: an implementation must deliver only if that
   * transaction commits (e.g. `pg_notify`, which PostgreSQL sends at commit).
   */
  publish(tx: Tx, events: readonly RevocationEvent[]): Promise<void>;
  start(handlers: RevocationTransportHandlers): Promise<void>;
  stop(): Promise<void>;
}

/** One process (embedded PGlite): there is nobody else to tell. */
export const inProcessTransport: RevocationTransport = {
  publish: async () => {},
  start: async (handlers) => handlers.onConnected(),
  stop: async () => {},
};
