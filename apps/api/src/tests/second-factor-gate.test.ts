import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, STRONG_PASSWORD, type TestApp } from "../testing/test-app.js";

/**
 * Issue 15's promise, checked against every operation the app documents: a user with TOTP
 * enabled gets no authenticated answer from the API with the password alone.
 */
type Operation = { security?: Record<string, string[]>[] };
type Document = { paths: Record<string, Record<string, Operation>> };

/** RFC 6238 (SHA-1, 6 digits, 30 s) for a base32 secret: the test's own authenticator app. */
function totp(secret: string, nowMs: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(nowMs / 1000 / 30)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}

let t: TestApp;
let document: Document;
beforeAll(async () => {
  t = await createTestApp();
  document = (await (await t.client().get("/api/openapi.json")).json()) as Document;
}, 90_000);
afterAll(() => t.dispose());

/** No security requirement, or an empty one among them: the operation is open to anyone. */
const isOpenToAnyone = (operation: Operation) =>
  operation.security === undefined ||
  operation.security.length === 0 ||
  operation.security.some((requirement) => Object.keys(requirement).length === 0);

describe("a user with TOTP enabled, after the password alone", () => {
  it("gets 401 from every operation that needs a signed-in user, and no session from any other", async () => {
    const { client, email } = await t.signUp();
    const setup = (await (await client.post("/api/auth/2fa/totp/setup")).json()) as {
      secret: string;
    };
    const enable = await client.post("/api/auth/2fa/totp/enable", {
      code: totp(setup.secret, t.clock.now()),
    });
    expect(enable.status).toBe(200);

    const attacker = t.client({ Origin: "http://localhost" });
    const login = await attacker.post("/api/auth/login", { email, password: STRONG_PASSWORD });
    expect(await login.json()).toMatchObject({ twoFactorRequired: true });
    expect(attacker.sessionCookies).toEqual(["auth_pending"]);

    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(50);
    const signedInOnly: string[] = [];
    for (const { path, method, operation } of operations) {
      const url = path.replace(/\{[^}]+\}/g, randomUUID());
      const name = `${method.toUpperCase()} ${path}`;
      const hasBody = !["get", "head"].includes(method);
      // A copy each time: nothing an answer sets may help the next request.
      const probe = attacker.fork();
      const response = await probe.request(method.toUpperCase(), url, hasBody ? { json: {} } : {});
      const opened = response.headers
        .getSetCookie()
        .filter((cookie) => /^auth_(access|session)=[^;]/.test(cookie));
      expect(opened, `${name} must open no session`).toEqual([]);
      if (isOpenToAnyone(operation)) continue;
      signedInOnly.push(name);
      expect(response.status, name).toBe(401);
    }
    // The sensitive and plugin routes are among them (the list is the document's own).
    expect(signedInOnly).toEqual(
      expect.arrayContaining([
        "GET /api/auth/me",
        "GET /api/todos",
        "POST /api/auth/reauthenticate",
        "GET /api/auth/2fa",
        "POST /api/auth/2fa/totp/disable",
        "GET /api/auth/passkeys",
        "PATCH /api/admin/users/{id}",
      ]),
    );

    // The second step still completes (the next time step's code: enabling used this one's).
    const done = await attacker.post("/api/auth/2fa/verify", {
      code: totp(setup.secret, t.clock.now() + 30_000),
    });
    expect(done.status).toBe(200);
    expect(attacker.sessionCookies.sort()).toEqual(["auth_access", "auth_session"]);
  });
});
