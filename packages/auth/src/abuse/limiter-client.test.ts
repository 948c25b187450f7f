import type { Context } from "hono";
import { describe, expect, it } from "vitest";
import { clientAddressResolver } from "../http/client-address.js";
import { limiterClient, VANISHED_PEER } from "./limiter-client.js";

const runtime = { getClientIp: clientAddressResolver(0) };
const context = (env: unknown) =>
  ({ env, req: { raw: new Request("http://x/") } }) as unknown as Context;

describe("limiterClient", () => {
  it("is the connection's address", () => {
    const c = context({ incoming: { socket: { remoteAddress: "192.0.2.7" } } });
    expect(limiterClient(runtime, c)).toBe("192.0.2.7");
  });

  it("puts a connection whose peer vanished (reset mid-request) in one shared bucket", () => {
    const c = context({ incoming: { socket: { remoteAddress: undefined } } });
    expect(limiterClient(runtime, c)).toBe(VANISHED_PEER);
  });

  it("counts nothing per client for a request that came over no connection", () => {
    expect(limiterClient(runtime, context(undefined))).toBeUndefined();
    expect(limiterClient(runtime, context({}))).toBeUndefined();
  });
});
