import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";

/** The peer address of the socket. Requests made in-process (tests) have none. */
export function socketClientIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
