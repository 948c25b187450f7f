import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { SoftwareAuthenticator } from "../../tests/software-authenticator.js";
import type { IssuedChallenge } from "./challenges.js";
import { resolvePasskeysOptions } from "./options.js";
import {
  authenticationOptions,
  CeremonyRefused,
  isUserHandleOf,
  registrationOptions,
  verifyAssertion,
  verifyRegistration,
  type StoredCredential,
} from "./webauthn.js";

const options = resolvePasskeysOptions({
  rpId: "example.test",
  rpName: "Tidy",
  origins: ["https://app.example.test"],
});
const user = { id: "0b8f6a52-3f1e-4a0c-9d2b-6f0e1c2d3e4f", email: "ada@example.test", name: null };

function challenge(): IssuedChallenge {
  const bytes = new Uint8Array(randomBytes(32));
  return { bytes, encoded: Buffer.from(bytes).toString("base64url") };
}

async function registered(authenticator: SoftwareAuthenticator): Promise<StoredCredential> {
  const issued = challenge();
  const creation = await registrationOptions(options, user, [], issued);
  const credential = await verifyRegistration(
    options,
    authenticator.register(creation),
    issued.encoded,
  );
  return { ...credential };
}

describe("the WebAuthn wrapper, against a software authenticator", () => {
  it("offers what the contract says at registration", async () => {
    const existing = {
      credentialId: "AAAA",
      publicKey: new Uint8Array(),
      counter: 0,
      transports: ["usb", "bogus"],
    };
    const creation = await registrationOptions(options, user, [existing], challenge());
    expect(creation.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "preferred",
    });
    expect(creation.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7, -257]);
    expect(creation.excludeCredentials).toEqual([
      { id: "AAAA", transports: ["usb"], type: "public-key" },
    ]);
    expect(creation.rp).toEqual({ id: "example.test", name: "Tidy" });
    expect(isUserHandleOf(creation.user.id, user.id)).toBe(true);
    expect(creation.attestation).toBe("none");
  });

  it("registers, then verifies an assertion and its counter", async () => {
    const authenticator = new SoftwareAuthenticator({ origin: "https://app.example.test" });
    const credential = await registered(authenticator);
    expect(credential.counter).toBe(0);
    const issued = challenge();
    const request = await authenticationOptions(options, [], "required", issued);
    expect(request.userVerification).toBe("required");
    const assertion = authenticator.authenticate(request);
    const verified = await verifyAssertion(options, assertion, issued.encoded, credential, true);
    expect(verified).toMatchObject({
      newCounter: 1,
      userVerified: true,
      deviceType: "singleDevice",
    });
    expect(isUserHandleOf(assertion.response.userHandle!, user.id)).toBe(true);

    // A counter that does not grow is a cloned authenticator's (or a replay).
    const again = challenge();
    const second = authenticator.authenticate(
      await authenticationOptions(options, [], "required", again),
      {
        counter: 1,
      },
    );
    await expect(
      verifyAssertion(options, second, again.encoded, { ...credential, counter: 1 }, true),
    ).rejects.toBeInstanceOf(CeremonyRefused);
  });

  it("refuses another origin, RP id, challenge, ceremony type, or a missing UV when required", async () => {
    const authenticator = new SoftwareAuthenticator({ origin: "https://app.example.test" });
    const issued = challenge();
    const creation = await registrationOptions(options, user, [], issued);
    await expect(
      verifyRegistration(
        options,
        authenticator.register(creation, { origin: "https://evil.test" }),
        issued.encoded,
      ),
    ).rejects.toThrow(/origin/);
    await expect(
      verifyRegistration(
        options,
        authenticator.register(creation, { rpId: "evil.test" }),
        issued.encoded,
      ),
    ).rejects.toThrow(/RP ID/i);
    await expect(
      verifyRegistration(
        options,
        authenticator.register(creation, { type: "webauthn.get" }),
        issued.encoded,
      ),
    ).rejects.toBeInstanceOf(CeremonyRefused);
    await expect(
      verifyRegistration(
        options,
        authenticator.register(creation, { residentKey: false }),
        issued.encoded,
      ),
    ).rejects.toThrow(/non-discoverable/);
    await expect(
      verifyRegistration(options, authenticator.register(creation), challenge().encoded),
    ).rejects.toThrow(/challenge/i);

    const credential = await registered(authenticator);
    const asserting = challenge();
    const request = await authenticationOptions(options, [], "required", asserting);
    const target = { credentialId: credential.credentialId };
    for (const overrides of [
      { origin: "https://evil.test" },
      { rpId: "evil.test" },
      { type: "webauthn.create" },
    ]) {
      await expect(
        verifyAssertion(
          options,
          authenticator.authenticate(request, { ...target, ...overrides }),
          asserting.encoded,
          credential,
          true,
        ),
      ).rejects.toBeInstanceOf(CeremonyRefused);
    }
    const withoutUv = authenticator.authenticate(request, { ...target, userVerification: false });
    await expect(
      verifyAssertion(options, withoutUv, asserting.encoded, credential, true),
    ).rejects.toThrow(/verification/i);
    const secondFactor = authenticator.authenticate(request, {
      ...target,
      userVerification: false,
    });
    await expect(
      verifyAssertion(options, secondFactor, asserting.encoded, credential, false),
    ).resolves.toMatchObject({
      userVerified: false,
    });
  });

  it("refuses a signature by another key", async () => {
    const authenticator = new SoftwareAuthenticator({ origin: "https://app.example.test" });
    const mine = await registered(authenticator);
    const other = await registered(
      new SoftwareAuthenticator({ origin: "https://app.example.test" }),
    );
    const issued = challenge();
    const assertion = authenticator.authenticate(
      await authenticationOptions(options, [], "required", issued),
      {
        credentialId: mine.credentialId,
      },
    );
    await expect(
      verifyAssertion(
        options,
        assertion,
        issued.encoded,
        { ...other, credentialId: mine.credentialId },
        true,
      ),
    ).rejects.toBeInstanceOf(CeremonyRefused);
  });
});
