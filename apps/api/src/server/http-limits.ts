import type { Server, ServerOptions } from "node:http";
import type { HttpLimits } from "../config.js";

/**
 * Node's server options for an auth server: a client that trickles its headers or stalls its
 * body is cut off (408) after the configured time instead of holding a connection for
 * minutes, and the timeouts are checked every second rather than Node's 30.
 */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: 1000,
  };
}

/** Refuses connections past the configured number (Node closes them at once). */
export function limitConnections(server: Pick<Server, "maxConnections">, limits: HttpLimits): void {
  server.maxConnections = limits.maxConnections;
}
