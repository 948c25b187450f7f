import { randomBytes } from "node:crypto";
import { generate } from "otplib";
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SoftwareAuthenticator } from "../../tests/software-authenticator.js";
import { createTestHost, type TestHost } from "../../tests/test-host.js";
import type { TestClient } from "../../testing/test-client.js";
import { securityEvents } from "../security-events/index.js";
import { twoFactor } from "../two-factor/index.js";
import { passkeys } from "./index.js";

const ORIGIN = "https://app.example.test";
const AUTH = "/api/auth";

let host: TestHost;
beforeAll(async () => {
  host = await createTestHost({
    plugins: [
      securityEvents(),
      twoFactor({ encryptionKeys: [randomBytes(32).toString("base64")] }),
      passkeys({ rpId: "example.test", rpName: "Tidy", origins: [ORIGIN] }),
    ],
  });
});
afterAll(() => host?.dispose());

async function json<T>(response: Response, status: number): Promise<T> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return (body ? JSON.parse(body) : undefined) as T;
}

async function addPasskey(client: TestClient, device: SoftwareAuthenticator) {
  const options = await json<PublicKeyCredentialCreationOptionsJSON>(
    await client.post(`${AUTH}/passkeys/register/options`),
    200,
  );
  await json(
    await client.post(`${AUTH}/passkeys/register`, {
      name: "Laptop",
      response: device.register(options),
    }),
    201,
  );
}

async function enableTotp(client: TestClient) {
  const { secret } = await json<{ secret: string }>(
    await client.post(`${AUTH}/2fa/totp/setup`),
    200,
  );
  const code = await generate({ secret, epoch: Math.floor(host.clock.now() / 1000) });
  await json(await client.post(`${AUTH}/2fa/totp/enable`, { code }), 200);
}

describe("passkeys with the two-factor plugin", () => {
  it("completes the password sign-in of a user with TOTP, and steps up without the password", async () => {
    const { client, email, password } = await host.signUp();
    const device = new SoftwareAuthenticator({ origin: ORIGIN });
    await enableTotp(client);
    await addPasskey(client, device);

    const browser = host.client();
    const step = await json<{ twoFactorRequired: boolean; methods: string[] }>(
      await browser.post(`${AUTH}/login`, { email, password }),
      200,
    );
    expect(step).toEqual({
      twoFactorRequired: true,
      methods: ["totp", "recovery_code", "passkey"],
    });
    const options = await json<PublicKeyCredentialRequestOptionsJSON>(
      await browser.post(`${AUTH}/passkeys/authenticate/options`, { purpose: "second-factor" }),
      200,
    );
    await json(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(options),
      }),
      200,
    );
    const { sessions } = await json<{ sessions: { current: boolean; signInMethods: string[] }[] }>(
      await browser.get(`${AUTH}/sessions`),
      200,
    );
    expect(sessions.find((session) => session.current)?.signInMethods).toEqual([
      "password",
      "passkey",
    ]);

    // The pending sign-in is used up: a second answer finds nothing to complete.
    await json(
      await browser.post(`${AUTH}/passkeys/authenticate/options`, { purpose: "second-factor" }),
      401,
    );

    // Step-up: the password alone no longer proves anything for this user; a passkey does.
    host.clock.advanceSeconds(11 * 60);
    const required = await json<{ methods: string[] }>(
      await browser.post(`${AUTH}/passkeys/register/options`),
      401,
    );
    expect(required.methods).toEqual(["totp", "passkey"]);
    const again = await json<PublicKeyCredentialRequestOptionsJSON>(
      await browser.post(`${AUTH}/passkeys/authenticate/options`, { purpose: "reauthenticate" }),
      200,
    );
    await json(
      await browser.post(`${AUTH}/passkeys/authenticate`, { response: device.authenticate(again) }),
      200,
    );
    await json(await browser.post(`${AUTH}/passkeys/register/options`), 200);
  });

  it("signs in with the passkey alone even when TOTP is on (user verification is the second factor)", async () => {
    const { client } = await host.signUp();
    const device = new SoftwareAuthenticator({ origin: ORIGIN });
    await enableTotp(client);
    await addPasskey(client, device);
    const browser = host.client();
    const options = await json<PublicKeyCredentialRequestOptionsJSON>(
      await browser.post(`${AUTH}/passkeys/authenticate/options`, { purpose: "sign-in" }),
      200,
    );
    await json(
      await browser.post(`${AUTH}/passkeys/authenticate`, {
        response: device.authenticate(options),
      }),
      200,
    );
    await json(await browser.get("/api/notes"), 200);
  });
});
