import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientIpResolver } from "./node-request";

async function resolve(trustedProxies: number, forwardedFor?: string) {
  const app = new Hono();
  app.get("/", (c) => c.text(clientIpResolver(trustedProxies)(c) ?? "none"));
  const headers: Record<string, string> = forwardedFor ? { "X-Forwarded-For": forwardedFor } : {};
  const response = await app.request("/", { headers });
  return response.text();
}

describe("clientIpResolver", () => {
  it("ignores X-Forwarded-For unless proxies are trusted", async () => {
    expect(await resolve(0, "6.6.6.6")).toBe("none");
  });

  it("takes the address the trusted proxy appended, not the client's claims", async () => {
    expect(await resolve(1, "6.6.6.6, 203.0.113.7")).toBe("203.0.113.7");
    expect(await resolve(2, "6.6.6.6, 203.0.113.7, 10.0.0.2")).toBe("203.0.113.7");
  });
});
