import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddressResolver, connectionAddress } from "./client-address.js";

let server: ReturnType<typeof serve>;
let base: string;
beforeAll(async () => {
  const app = new Hono()
    .get("/default", (c) => c.text(connectionAddress(c) ?? "none"))
    .get("/one-proxy", (c) => c.text(clientAddressResolver(1)(c) ?? "none"));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the client address on a real Node server", () => {
  it("is the connection's peer by default, whatever X-Forwarded-For claims", async () => {
    const response = await fetch(`${base}/default`, { headers: { "X-Forwarded-For": "6.6.6.6" } });
    expect(await response.text()).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it("behind one trusted proxy, is the address that proxy appended", async () => {
    const response = await fetch(`${base}/one-proxy`, {
      headers: { "X-Forwarded-For": "6.6.6.6, 203.0.113.9" },
    });
    expect(await response.text()).toBe("203.0.113.9");
  });

  it("falls back to the connection when the proxy's entry is missing or not an address", async () => {
    for (const forwarded of ["<b>not-an-ip</b>", "", "6.6.6.6,"]) {
      const response = await fetch(`${base}/one-proxy`, {
        headers: { "X-Forwarded-For": forwarded },
      });
      expect(await response.text()).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    }
  });

  it("is unknown for in-process requests, which then share no bucket", async () => {
    const app = new Hono().get("/", (c) => c.text(connectionAddress(c) ?? "none"));
    expect(await (await app.request("/")).text()).toBe("none");
  });
});
