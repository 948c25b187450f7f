import type { Context } from "hono";
import type { ClientInfo } from "../plugins/hooks.js";
import type { AuthRuntime } from "../runtime.js";

/** The request's client address and user agent (at most 512 characters), as recorded. */
export function clientInfo(runtime: Pick<AuthRuntime, "getClientIp">, c: Context): ClientInfo {
  return { ip: runtime.getClientIp(c), userAgent: c.req.header("User-Agent")?.slice(0, 512) };
}
