import { afterAll, describe, expect, it } from "vitest";
import { parseSetCookie } from "../testing/index.js";
import { createTestHost, STRONG_PASSWORD, uniqueEmail, type TestHost } from "./test-host.js";

const apps: TestHost[] = [];
afterAll(() => Promise.all(apps.map((app) => app.dispose())));

async function registerOn(secureCookies: boolean) {
  const t = await createTestHost({ secureCookies });
  apps.push(t);
  const client = t.client();
  const response = await client.post("/api/auth/register", {
    email: uniqueEmail(),
    password: STRONG_PASSWORD,
  });
  expect(response.status).toBe(201);
  const cookies = response.headers.getSetCookie().map(parseSetCookie);
  return { t, client, cookies, response };
}

describe("cookie attributes", () => {
  it("production: __Host- names, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", async () => {
    const { cookies, client } = await registerOn(true);
    expect(cookies.map((c) => c.name).sort()).toEqual([
      "__Host-auth_access",
      "__Host-auth_device",
      "__Host-auth_session",
    ]);
    for (const cookie of cookies) {
      expect(cookie.attributes).toMatchObject({
        secure: true,
        httponly: true,
        samesite: "Lax",
        path: "/",
      });
      expect(cookie.attributes).not.toHaveProperty("domain");
    }
    const access = cookies.find((c) => c.name === "__Host-auth_access")!;
    const session = cookies.find((c) => c.name === "__Host-auth_session")!;
    expect(access.attributes["max-age"]).toBe("600");
    expect(session.attributes["max-age"]).toBe(String(30 * 24 * 3600));
    // The device cookie (decision 014) outlives sessions: 180 days from the last sign-in.
    const device = cookies.find((c) => c.name === "__Host-auth_device")!;
    expect(device.attributes["max-age"]).toBe(String(180 * 24 * 3600));
    // The prefixed cookies are the ones read back.
    expect((await client.get("/api/auth/session")).status).toBe(200);
  });

  it("plain-http development: plain names without Secure, still HttpOnly and SameSite", async () => {
    const { cookies, response } = await registerOn(false);
    expect(cookies.map((c) => c.name).sort()).toEqual([
      "auth_access",
      "auth_device",
      "auth_session",
    ]);
    for (const cookie of cookies) {
      expect(cookie.attributes).not.toHaveProperty("secure");
      expect(cookie.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/" });
    }
    expect(response.headers.get("strict-transport-security")).toBeNull();
  });

  it("a secure deployment ignores unprefixed cookies planted over http", async () => {
    const { t, client } = await registerOn(true);
    const planted = t.client();
    planted.cookies.set("auth_access", client.cookies.get("__Host-auth_access")!);
    planted.cookies.set("auth_session", client.cookies.get("__Host-auth_session")!);
    expect((await planted.get("/api/auth/session")).status).toBe(401);
  });

  it("logout clears both cookies with Max-Age=0 and the same attributes", async () => {
    const { client } = await registerOn(true);
    const response = await client.post("/api/auth/logout");
    const cleared = response.headers.getSetCookie().map(parseSetCookie);
    expect(cleared.map((c) => c.name).sort()).toEqual([
      "__Host-auth_access",
      "__Host-auth_session",
    ]);
    for (const cookie of cleared) {
      expect(cookie.attributes).toMatchObject({ "max-age": "0", secure: true, path: "/" });
    }
  });
});
