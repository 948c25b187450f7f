import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, lte, sql } from "drizzle-orm";
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { definePlugin } from "../plugin.js";
import { securityEvents } from "../security-events/index.js";
import { securityEventTypes } from "../../tests/security-event-types.js";
import { createCoreTables } from "../../schema/core-tables.js";
import { SoftwareAuthenticator } from "../../tests/software-authenticator.js";
import { createTestHost, STRONG_PASSWORD, type TestHost } from "../../tests/test-host.js";
import { parseSetCookie, type TestClient } from "../../testing/test-client.js";
import { openApiDocument } from "../../openapi/document.js";
import { passkeys } from "./index.js";
import { passkeysTables } from "./tables.js";
import { tableNamer } from "../../schema/table-names.js";
import { rowsOf } from "../../retention/retention.js";
import { NO_PASSWORD_HASH } from "../../users/user-store.js";

const ORIGIN = "https://app.example.test";
const RP = { rpId: "example.test", rpName: "Tidy", origins: [ORIGIN] };
const AUTH = "/api/auth";

/** Users for whom a stand-in "totp" factor is enforced (the TOTP plugin is tested apart). */
const withTotp = new Set<string>();
let exportOf: (userId: string) => Promise<unknown>;
const enforcedFactor = definePlugin({
  id: "test-totp",
  setup: (context) => {
    exportOf = async (userId) => (await context.exportUserData(context.db, userId))["passkeys"];
    return {
      secondFactor: {
        methods: async (_db, userId) =>
          withTotp.has(userId) ? [{ name: "totp", enforced: true, stepUp: true }] : [],
      },
    };
  },
});

let host: TestHost;
const core = createCoreTables();
const tables = passkeysTables(tableNamer(""), core);

beforeAll(async () => {
  host = await createTestHost({
    plugins: [securityEvents(), enforcedFactor, passkeys({ ...RP, maxPasskeysPerUser: 3 })],
  });
});
afterAll(() => host?.dispose());

const authenticator = () => new SoftwareAuthenticator({ origin: ORIGIN });

async function json<T>(response: Response, status: number): Promise<T> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return (body ? JSON.parse(body) : undefined) as T;
}

async function registerOptions(client: TestClient) {
  return json<PublicKeyCredentialCreationOptionsJSON>(
    await client.post(`${AUTH}/passkeys/register/options`),
    200,
  );
}

/** Adds a passkey held by `device` to the signed-in account of `client`. */
async function addPasskey(client: TestClient, device: SoftwareAuthenticator, name = "Laptop") {
  const options = await registerOptions(client);
  const response = device.register(options);
  const { passkey } = await json<{ passkey: { id: string; name: string } }>(
    await client.post(`${AUTH}/passkeys/register`, { name, response }),
    201,
  );
  return passkey;
}

async function requestOptions(client: TestClient, purpose: string) {
  return json<PublicKeyCredentialRequestOptionsJSON>(
    await client.post(`${AUTH}/passkeys/authenticate/options`, { purpose }),
    200,
  );
}

/** How the browser's current session signed in (its row's `sign_in_methods`). */
async function signInMethodsOf(browser: TestClient): Promise<string[]> {
  const { session } = await json<{ session: { sessionId: string } }>(
    await browser.get(`${AUTH}/session`),
    200,
  );
  const result = await host.database.db.execute(
    sql`select sign_in_methods from sessions where id = ${session.sessionId}`,
  );
  return rowsOf<{ sign_in_methods: string[] }>(result)[0]!.sign_in_methods;
}

/** The browser's cookies that sign it in (not the device or challenge cookie). */
const signedInCookies = (browser: TestClient) =>
  browser.sessionCookies.filter((name) => !name.endsWith("auth_webauthn"));

const eventTypes = (userId: string) => securityEventTypes(host.database.db, userId);

describe("passkeys: registration", () => {
  it("offers a discoverable credential, excludes the user's passkeys, and stores the new one", async () => {
    const { client, user } = await host.signUp();
    const device = authenticator();
    const options = await registerOptions(client);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "preferred",
    });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7, -257]);
    expect(options.excludeCredentials).toEqual([]);
    expect(client.cookies.has("__Host-auth_webauthn")).toBe(true);
    const response = device.register(options);
    const created = await json<{ passkey: Record<string, unknown> }>(
      await client.post(`${AUTH}/passkeys/register`, { name: "  Work laptop  ", response }),
      201,
    );
    expect(created.passkey).toEqual({
      id: expect.any(String),
      name: "Work laptop",
      createdAt: expect.any(String),
      lastUsedAt: null,
      deviceType: "singleDevice",
      backedUp: false,
    });
    const [row] = await host.database.db
      .select()
      .from(tables.passkeys)
      .where(eq(tables.passkeys.userId, user.id));
    expect(row).toMatchObject({
      credentialId: response.id,
      counter: 0,
      transports: ["internal", "hybrid"],
      aaguid: "00000000-0000-0000-0000-000000000000",
    });
    expect(row!.publicKey.byteLength).toBeGreaterThan(60);

    const again = await registerOptions(client);
    expect(again.excludeCredentials).toEqual([
      { id: response.id, transports: ["internal", "hybrid"], type: "public-key" },
    ]);
    expect(await eventTypes(user.id)).toContain("passkey_added");
  });

  it("keeps only hashes, behind an HttpOnly browser cookie", async () => {
    const { client } = await host.signUp();
    const response = await client.post(`${AUTH}/passkeys/register/options`);
    const options = await json<PublicKeyCredentialCreationOptionsJSON>(response, 200);
    const cookie = response.headers
      .getSetCookie()
      .map(parseSetCookie)
      .find((c) => c.name === "__Host-auth_webauthn")!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toMatchObject({
      httponly: true,
      secure: true,
      samesite: "Lax",
      path: "/",
      "max-age": "300",
    });
    const rows = await host.database.db.select().from(tables.challenges);
    const serialized = JSON.stringify(rows);
    expect(serialized).not.toContain(options.challenge);
    expect(serialized).not.toContain(cookie.value);
    // The same browser keeps its id for its next ceremony (two tabs share it).
    const next = await client.post(`${AUTH}/passkeys/authenticate/options`, { purpose: "sign-in" });
    const again = next.headers.getSetCookie().map(parseSetCookie)[0]!;
    expect(again.value).toBe(cookie.value);
  });

  it("lets two tabs of one browser each finish their own ceremony", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const browser = host.client();
    const first = await requestOptions(browser, "sign-in");
    const second = await requestOptions(browser, "sign-in");
    const tab = browser.fork();
    await json(
      await tab.post(`${AUTH}/passkeys/authenticate`, { response: device.authenticate(second) }),
      200,
    );
    await json(
      await browser.post(`${AUTH}/passkeys/authenticate`, { response: device.authenticate(first) }),
      200,
    );
  });

  it("refuses another origin or RP id, a used challenge, another session's challenge, a duplicate", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    const register = (name: string, response: unknown) =>
      client.post(`${AUTH}/passkeys/register`, { name, response });

    const phished = device.register(await registerOptions(client), { origin: "https://evil.test" });
    const refused = await json<{ errors: { pointer: string }[] }>(
      await register("x", phished),
      422,
    );
    expect(refused.errors[0]!.pointer).toBe("/response");
    await json(
      await register("x", device.register(await registerOptions(client), { rpId: "evil.test" })),
      422,
    );

    // The challenge died with the first answer, even a refused one.
    const options = await registerOptions(client);
    await json(await register("x", device.register(options, { origin: "https://evil.test" })), 422);
    await json(await register("x", device.register(options)), 422);

    // Another browser (no challenge cookie) cannot answer this browser's challenge.
    const stolen = device.register(await registerOptions(client));
    const other = client.fork();
    other.cookies.delete("__Host-auth_webauthn");
    await json(await other.post(`${AUTH}/passkeys/register`, { name: "x", response: stolen }), 422);

    // A good answer, once; replayed, its challenge is gone.
    const good = device.register(await registerOptions(client));
    await json(await register("Phone", good), 201);
    await json(await register("Phone", good), 422);
  });

  it("validates the name and the response's shape", async () => {
    const { client } = await host.signUp();
    const response = authenticator().register(await registerOptions(client));
    for (const name of ["", "   ", "x".repeat(65), "a\u202Eb"]) {
      const problem = await json<{ errors: { pointer: string }[] }>(
        await client.post(`${AUTH}/passkeys/register`, { name, response }),
        422,
      );
      expect(problem.errors.map((e) => e.pointer)).toEqual(["/name"]);
    }
    const bad = await json<{ errors: { pointer: string }[] }>(
      await client.post(`${AUTH}/passkeys/register`, {
        name: "ok",
        response: { ...response, type: "password" },
      }),
      422,
    );
    expect(bad.errors.map((e) => e.pointer)).toEqual(["/response/type"]);
  });

  it("caps the passkeys of one account", async () => {
    const { client } = await host.signUp();
    for (const name of ["one", "two", "three"]) await addPasskey(client, authenticator(), name);
    const problem = await json<{ type: string }>(
      await client.post(`${AUTH}/passkeys/register/options`),
      409,
    );
    expect(problem.type).toBe("/problems/passkey-limit");
  });

  it("needs a signed-in user and a recent authentication to start", async () => {
    const anonymous = host.client();
    await json(await anonymous.post(`${AUTH}/passkeys/register/options`), 401);
    await json(await anonymous.get(`${AUTH}/passkeys`), 401);

    const { client } = await host.signUp();
    host.clock.advanceSeconds(11 * 60);
    const problem = await json<{ type: string; methods: string[] }>(
      await client.post(`${AUTH}/passkeys/register/options`),
      401,
    );
    expect(problem.type).toBe("/problems/reauthentication-required");
    expect(problem.methods).toEqual(["password"]);
    await json(await client.post(`${AUTH}/reauthenticate`, { password: STRONG_PASSWORD }), 200);
    await registerOptions(client);
  });
});

describe("passkeys: sign-in with a passkey alone", () => {
  it("signs in: cookies set, a session with sign_in_methods {passkey}, counter and last use recorded", async () => {
    const { client, user } = await host.signUp();
    const device = authenticator();
    const passkey = await addPasskey(client, device);

    const browser = host.client();
    const options = await requestOptions(browser, "sign-in");
    expect(options.allowCredentials).toEqual([]);
    expect(options.userVerification).toBe("required");
    const response = await browser.post(`${AUTH}/passkeys/authenticate`, {
      response: device.authenticate(options),
    });
    const body = await json<{ user: { id: string } }>(response, 200);
    expect(body.user.id).toBe(user.id);
    expect(browser.sessionCookies).toEqual(expect.arrayContaining(["auth_access", "auth_session"]));
    expect(await signInMethodsOf(browser)).toEqual(["passkey"]);

    const [row] = await host.database.db
      .select()
      .from(tables.passkeys)
      .where(eq(tables.passkeys.id, passkey.id));
    expect(row!.counter).toBe(1);
    expect(row!.lastUsedAt?.getTime()).toBe(host.clock.now());
  });

  it("refuses without user verification, from another origin or RP id, and a replayed or foreign challenge", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const browser = host.client();
    const attempt = async (overrides: Parameters<SoftwareAuthenticator["authenticate"]>[1]) => {
      const options = await requestOptions(browser, "sign-in");
      return browser.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(options, overrides),
      });
    };
    for (const overrides of [
      { userVerification: false },
      { origin: "https://evil.test" },
      { rpId: "evil.test" },
    ]) {
      const problem = await json<{ type: string; detail: string }>(await attempt(overrides), 401);
      expect(problem.type).toBe("/problems/passkey-not-accepted");
    }
    expect(signedInCookies(browser)).toEqual([]);

    // Replayed: the same answer twice.
    const options = await requestOptions(browser, "sign-in");
    const answer = device.authenticate(options);
    await json(await browser.post(`${AUTH}/passkeys/authenticate`, { response: answer }), 200);
    const replay = await json<{ type: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, { response: answer }),
      401,
    );
    expect(replay.type).toBe("/problems/passkey-challenge-expired");

    // Another browser cannot use this browser's challenge.
    const stranger = host.client();
    const theirs = await requestOptions(browser, "sign-in");
    const foreign = await json<{ type: string }>(
      await stranger.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(theirs),
      }),
      401,
    );
    expect(foreign.type).toBe("/problems/passkey-challenge-expired");

    // Expired: five minutes.
    const late = await requestOptions(browser, "sign-in");
    host.clock.advanceSeconds(5 * 60 + 1);
    const expired = await json<{ type: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, { response: device.authenticate(late) }),
      401,
    );
    expect(expired.type).toBe("/problems/passkey-challenge-expired");
  });

  it("refuses a challenge issued for another purpose", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    // A registration challenge answered as an assertion.
    const registration = await registerOptions(client);
    const assertion = device.authenticate(
      { challenge: registration.challenge, rpId: RP.rpId, allowCredentials: [] },
      {},
    );
    const problem = await json<{ type: string }>(
      await client.post(`${AUTH}/passkeys/authenticate`, { response: assertion }),
      401,
    );
    expect(problem.type).toBe("/problems/passkey-challenge-expired");
    // An assertion challenge answered as a registration.
    const request = await requestOptions(client, "sign-in");
    const creation = await registerOptions(client);
    const response = device.register({
      ...creation,
      challenge: request.challenge,
      excludeCredentials: [],
    });
    await json(await client.post(`${AUTH}/passkeys/register`, { name: "x", response }), 422);
  });

  it("accepts a synced passkey without a counter, again and again", async () => {
    const { client } = await host.signUp();
    const device = new SoftwareAuthenticator({ origin: ORIGIN, synced: true, counterStep: 0 });
    const passkey = await addPasskey(client, device, "iCloud Keychain");
    expect(passkey).toMatchObject({ deviceType: "multiDevice", backedUp: true });
    const browser = host.client();
    for (let i = 0; i < 2; i += 1) {
      const options = await requestOptions(browser, "sign-in");
      await json(
        await browser.post(`${AUTH}/passkeys/authenticate`, {
          response: device.authenticate(options),
        }),
        200,
      );
    }
  });

  it("refuses a signature counter that went backwards (a cloned authenticator)", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const browser = host.client();
    for (let i = 0; i < 2; i += 1) {
      const options = await requestOptions(browser, "sign-in");
      await json(
        await browser.post(`${AUTH}/passkeys/authenticate`, {
          response: device.authenticate(options),
        }),
        200,
      );
    }
    const options = await requestOptions(browser, "sign-in");
    const clone = device.authenticate(options, { counter: 1 });
    const problem = await json<{ type: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, { response: clone }),
      401,
    );
    expect(problem.type).toBe("/problems/passkey-not-accepted");
  });

  it("answers an unknown credential like any refusal, and refuses a disabled user", async () => {
    const { client, user } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const browser = host.client();

    const stranger = authenticator();
    stranger.register(fakeCreation(), {});
    const unknown = await json<{ type: string; detail: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: stranger.authenticate(await requestOptions(browser, "sign-in")),
      }),
      401,
    );
    const refused = await json<{ type: string; detail: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(await requestOptions(browser, "sign-in"), {
          userVerification: false,
        }),
      }),
      401,
    );
    expect(unknown).toEqual(refused);

    await host.auth.admin.updateUser(user.id, { disabled: true });
    await json(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(await requestOptions(browser, "sign-in")),
      }),
      401,
    );
    expect(signedInCookies(browser)).toEqual([]);
  });

  it("refuses a user handle that is not the credential owner's", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const browser = host.client();
    const problem = await json<{ type: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(await requestOptions(browser, "sign-in"), {
          userHandle: Buffer.alloc(16, 7).toString("base64url"),
        }),
      }),
      401,
    );
    expect(problem.type).toBe("/problems/passkey-not-accepted");
  });

  it("keeps the credential id unique across accounts", async () => {
    const victim = await host.signUp();
    const device = authenticator();
    await addPasskey(victim.client, device);
    const victimCredential = device.credentials[0]!.id;

    const attacker = await host.signUp();
    const forged = authenticator().register(await registerOptions(attacker.client), {
      credentialId: victimCredential,
    });
    // The same 422 as any refused registration: whose credential it is stays unsaid.
    const problem = await json<{ type: string; errors: { pointer: string }[] }>(
      await attacker.client.post(`${AUTH}/passkeys/register`, { name: "mine", response: forged }),
      422,
    );
    expect(problem.type).toBe("/problems/validation");
    expect(problem.errors.map((error) => error.pointer)).toEqual(["/response"]);
  });
});

/** Options for a credential the server never saw (a passkey of another site's account). */
function fakeCreation(): PublicKeyCredentialCreationOptionsJSON {
  return {
    challenge: "unused",
    rp: { id: RP.rpId, name: RP.rpName },
    user: { id: Buffer.alloc(16, 1).toString("base64url"), name: "x", displayName: "x" },
    pubKeyCredParams: [{ alg: -7, type: "public-key" }],
  };
}

async function login(email: string) {
  const browser = host.client();
  const body = await json<{ twoFactorRequired?: boolean; methods?: string[] }>(
    await browser.post(`${AUTH}/login`, { email, password: STRONG_PASSWORD }),
    200,
  );
  return { browser, body };
}

describe("passkeys: second factor", () => {
  it("completes a password sign-in of a user with TOTP", async () => {
    const { client, user, email } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    withTotp.add(user.id);

    const { browser, body } = await login(email);
    expect(body).toEqual({ twoFactorRequired: true, methods: ["totp", "passkey"] });
    expect(browser.sessionCookies.filter((name) => name.includes("access"))).toEqual([]);

    const options = await requestOptions(browser, "second-factor");
    expect(options.allowCredentials!.map((c) => c.id)).toEqual([device.credentials[0]!.id]);
    expect(options.userVerification).toBe("preferred");
    const done = await json<{ user: { id: string } }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(options, { userVerification: false }),
      }),
      200,
    );
    expect(done.user.id).toBe(user.id);
    await json(await browser.get("/api/notes"), 200);
    expect(await signInMethodsOf(browser)).toEqual(["password", "passkey"]);
  });

  it("refuses another user's passkey, and needs the pending sign-in", async () => {
    const owner = await host.signUp();
    const ownDevice = authenticator();
    await addPasskey(owner.client, ownDevice);
    withTotp.add(owner.user.id);

    const other = await host.signUp();
    const otherDevice = authenticator();
    await addPasskey(other.client, otherDevice);

    await json(
      await host.client().post(`${AUTH}/passkeys/authenticate/options`, {
        purpose: "second-factor",
      }),
      401,
    );

    const { browser } = await login(owner.email);
    const options = await requestOptions(browser, "second-factor");
    const foreign = otherDevice.authenticate(options, {
      credentialId: otherDevice.credentials[0]!.id,
    });
    const problem = await json<{ type: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate`, { response: foreign }),
      401,
    );
    expect(problem.type).toBe("/problems/passkey-not-accepted");
    expect(await eventTypes(owner.user.id)).toContain("second_factor_failed");
    expect(browser.sessionCookies.filter((name) => name.includes("access"))).toEqual([]);

    // The pending sign-in is still there: the owner's passkey completes it.
    const retry = await requestOptions(browser, "second-factor");
    await json(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: ownDevice.authenticate(retry),
      }),
      200,
    );
  });

  it("answers 409 for a pending user without a passkey (no open allow-list)", async () => {
    const { user, email } = await host.signUp();
    withTotp.add(user.id);
    const { browser } = await login(email);
    const problem = await json<{ type: string }>(
      await browser.post(`${AUTH}/passkeys/authenticate/options`, { purpose: "second-factor" }),
      409,
    );
    expect(problem.type).toBe("/problems/no-passkey");
  });

  it("is not enforced: a user with only passkeys signs in with the password alone", async () => {
    const { client, email } = await host.signUp();
    await addPasskey(client, authenticator());
    const { browser, body } = await login(email);
    expect(body).toMatchObject({ user: expect.any(Object) });
    await json(await browser.get("/api/notes"), 200);
  });
});

describe("passkeys: step-up, list, rename, remove", () => {
  it("lists and renames the user's own passkeys only", async () => {
    const { client } = await host.signUp();
    const passkey = await addPasskey(client, authenticator(), "Laptop");
    const other = await host.signUp();
    const listed = await json<{ passkeys: { id: string; name: string }[] }>(
      await client.get(`${AUTH}/passkeys`),
      200,
    );
    expect(listed.passkeys.map((p) => p.name)).toEqual(["Laptop"]);
    const renamed = await json<{ passkey: { name: string } }>(
      await client.patch(`${AUTH}/passkeys/${passkey.id}`, { name: " Desk " }),
      200,
    );
    expect(renamed.passkey.name).toBe("Desk");
    await json(await other.client.patch(`${AUTH}/passkeys/${passkey.id}`, { name: "Mine" }), 404);
    await json(await client.patch(`${AUTH}/passkeys/not-a-uuid`, { name: "x" }), 404);
    await json(await other.client.delete(`${AUTH}/passkeys/${passkey.id}`), 404);
  });

  it("removes only after a recent authentication; a passkey can give it", async () => {
    const { client, user } = await host.signUp();
    const device = authenticator();
    const first = await addPasskey(client, device, "First");
    await addPasskey(client, authenticator(), "Second");
    host.clock.advanceSeconds(11 * 60);

    const problem = await json<{ type: string; methods: string[] }>(
      await client.delete(`${AUTH}/passkeys/${first.id}`),
      401,
    );
    expect(problem.type).toBe("/problems/reauthentication-required");
    expect(problem.methods).toEqual(["password", "passkey"]);

    const options = await requestOptions(client, "reauthenticate");
    expect(options.allowCredentials).toHaveLength(2);
    const stepped = await json<{ authTime: string }>(
      await client.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(options),
      }),
      200,
    );
    expect(Math.abs(new Date(stepped.authTime).getTime() - host.clock.now())).toBeLessThan(1000);
    await json(await client.delete(`${AUTH}/passkeys/${first.id}`), 204);
    await json(await client.delete(`${AUTH}/passkeys/${first.id}`), 404);
    const listed = await json<{ passkeys: { name: string }[] }>(
      await client.get(`${AUTH}/passkeys`),
      200,
    );
    expect(listed.passkeys.map((p) => p.name)).toEqual(["Second"]);
    expect(await eventTypes(user.id)).toEqual(
      expect.arrayContaining(["passkey_added", "reauthenticated", "passkey_removed"]),
    );
  });

  it("a step-up needs user verification: a touch without PIN or biometrics is refused", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const options = await requestOptions(client, "reauthenticate");
    expect(options.userVerification).toBe("required");
    const problem = await json<{ type: string }>(
      await client.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(options, { userVerification: false }),
      }),
      401,
    );
    expect(problem.type).toBe("/problems/passkey-not-accepted");
  });

  it("refuses a step-up challenge of another session, and another user's passkey", async () => {
    const { client, email } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const other = await host.signUp();
    const otherDevice = authenticator();
    await addPasskey(other.client, otherDevice);

    const options = await requestOptions(client, "reauthenticate");
    const foreign = await json<{ type: string }>(
      await client.post(`${AUTH}/passkeys/authenticate`, {
        response: otherDevice.authenticate(options, {
          credentialId: otherDevice.credentials[0]!.id,
        }),
      }),
      401,
    );
    expect(foreign.type).toBe("/problems/passkey-not-accepted");

    // The same browser signed in again (a new session): the old session's challenge is dead.
    const stale = await requestOptions(client, "reauthenticate");
    await json(await client.post(`${AUTH}/login`, { email, password: STRONG_PASSWORD }), 200);
    const problem = await json<{ type: string }>(
      await client.post(`${AUTH}/passkeys/authenticate`, { response: device.authenticate(stale) }),
      401,
    );
    expect(problem.type).toBe("/problems/passkey-challenge-expired");
  });
});

describe("passkeys: the last way to sign in", () => {
  /** A signed-in user without a password (as an OpenID provider creates one) and `count` passkeys. */
  async function passwordless(count: number) {
    const { client, user } = await host.signUp();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await addPasskey(client, authenticator())).id);
    await host.database.db
      .update(core.users)
      .set({ passwordHash: NO_PASSWORD_HASH })
      .where(eq(core.users.id, user.id));
    return { client, user, ids };
  }

  it("refuses to remove the only passkey of a user without a password", async () => {
    const { client, user, ids } = await passwordless(1);
    const problem = await json<{ type: string; detail: string }>(
      await client.delete(`${AUTH}/passkeys/${ids[0]}`),
      409,
    );
    expect(problem.type).toBe("/problems/last-sign-in-method");
    expect(problem.detail).toMatch(/password/);
    expect(await json(await client.get(`${AUTH}/passkeys`), 200)).toMatchObject({
      passkeys: [{ id: ids[0] }],
    });
    expect(await eventTypes(user.id)).not.toContain("passkey_removed");
  });

  it("removes all but the last one", async () => {
    const { client, ids } = await passwordless(2);
    await json(await client.delete(`${AUTH}/passkeys/${ids[0]}`), 204);
    await json(await client.delete(`${AUTH}/passkeys/${ids[1]}`), 409);
  });

  it("lets exactly one of two parallel removals through", async () => {
    const { client, ids } = await passwordless(2);
    const statuses = await Promise.all(
      ids.map(async (id) => (await client.delete(`${AUTH}/passkeys/${id}`)).status),
    );
    expect(statuses.sort()).toEqual([204, 409]);
    const listed = await json<{ passkeys: unknown[] }>(await client.get(`${AUTH}/passkeys`), 200);
    expect(listed.passkeys).toHaveLength(1);
  });

  it("lets a user with a password remove their only passkey", async () => {
    const { client } = await host.signUp();
    const passkey = await addPasskey(client, authenticator());
    await json(await client.delete(`${AUTH}/passkeys/${passkey.id}`), 204);
  });

  it("still answers 404 for another user's passkey", async () => {
    const { ids } = await passwordless(1);
    const { client } = await host.signUp();
    await json(await client.delete(`${AUTH}/passkeys/${ids[0]}`), 404);
  });
});

describe("passkeys: the rest of the plugin", () => {
  it("exports names, dates and device types, never keys", async () => {
    const { client, user } = await host.signUp();
    await addPasskey(client, authenticator(), "Laptop");
    const data = (await exportOf(user.id)) as { passkeys: Record<string, unknown>[] };
    expect(data.passkeys).toEqual([
      {
        name: "Laptop",
        createdAt: expect.any(String),
        lastUsedAt: null,
        deviceType: "singleDevice",
        backedUp: false,
      },
    ]);
  });

  it("prunes expired challenges", async () => {
    const browser = host.client();
    await requestOptions(browser, "sign-in");
    host.clock.advanceSeconds(5 * 60 + 1);
    const report = await host.auth.retention.runOnce();
    expect(JSON.stringify(report)).toContain("passkeys/expired-challenges");
    const left = await host.database.db
      .select({ id: tables.challenges.id })
      .from(tables.challenges)
      .where(lte(tables.challenges.expiresAt, new Date(host.clock.now())));
    expect(left).toEqual([]);
  });
});

describe("passkeys: malformed input and the OpenAPI document", () => {
  it("answers garbage with a refusal, never a 500", async () => {
    const { client } = await host.signUp();
    const device = authenticator();
    await addPasskey(client, device);
    const options = await requestOptions(client, "reauthenticate");
    const good = device.authenticate(options);
    const garbled = {
      ...good,
      response: { ...good.response, authenticatorData: "AAAA", signature: "AAAA" },
    };
    await json(await client.post(`${AUTH}/passkeys/authenticate`, { response: garbled }), 401);
    const notJson = { ...good, response: { ...good.response, clientDataJSON: "bm90IGpzb24" } };
    await json(await client.post(`${AUTH}/passkeys/authenticate`, { response: notJson }), 401);

    const creation = authenticator().register(await registerOptions(client));
    const broken = {
      ...creation,
      response: { ...creation.response, attestationObject: "oWNmbXRkbm9uZQ" },
    };
    await json(
      await client.post(`${AUTH}/passkeys/register`, { name: "x", response: broken }),
      422,
    );
    const problem = await json<{ errors: { pointer: string }[] }>(
      await client.post(`${AUTH}/passkeys/authenticate`, { response: { id: "!!" } }),
      422,
    );
    expect(problem.errors.map((error) => error.pointer)).toContain("/response/id");
  });

  it("describes every route of the plugin", async () => {
    const document = await openApiDocument(host.app, {
      auth: host.auth,
      info: { title: "test", version: "1" },
    });
    const paths = document.paths ?? {};
    const expected = [
      ["/api/auth/passkeys", "get"],
      ["/api/auth/passkeys/register/options", "post"],
      ["/api/auth/passkeys/register", "post"],
      ["/api/auth/passkeys/{id}", "patch"],
      ["/api/auth/passkeys/{id}", "delete"],
      ["/api/auth/passkeys/authenticate/options", "post"],
      ["/api/auth/passkeys/authenticate", "post"],
    ] as const;
    for (const [path, method] of expected) {
      const operation = (paths[path] as Record<string, { summary?: string; responses?: object }>)?.[
        method
      ];
      expect(operation?.summary, `${method} ${path}`).toBeTruthy();
      expect(operation?.responses, `${method} ${path}`).toHaveProperty("401");
    }
    const register = (
      paths["/api/auth/passkeys/register"] as Record<string, { requestBody?: unknown }>
    )["post"];
    expect(JSON.stringify(register?.requestBody)).toContain("attestationObject");
    const remove = (paths["/api/auth/passkeys/{id}"] as Record<string, { responses?: object }>)[
      "delete"
    ];
    expect(remove?.responses).toHaveProperty("409");
  });
});
