import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { createHash, timingSafeEqual } from "node:crypto";
import type { ResolvedPasskeysOptions } from "./options.js";
import { CHALLENGE_LIFETIME_SECONDS, type IssuedChallenge } from "./challenges.js";
import type { PasskeyDeviceType } from "./tables.js";

/** EdDSA, ES256, RS256: what authenticators in use today sign with. */
export const SUPPORTED_ALGORITHMS = [-8, -7, -257];

const TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;
/** A WebAuthn transport hint (the spec's `AuthenticatorTransport`, future values included). */
export type Transport = (typeof TRANSPORTS)[number];

/** The transports a browser reported that WebAuthn knows (a stored hint, nothing more). */
export function knownTransports(reported: readonly string[] | undefined): Transport[] {
  const known = (reported ?? []).filter((transport): transport is Transport =>
    (TRANSPORTS as readonly string[]).includes(transport),
  );
  return [...new Set(known)];
}

/** The WebAuthn user handle of an account: the 16 bytes of its UUID (nothing personal). */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replace(/-/g, ""), "hex"));
}

/** A user handle (base64url) is the one of `userId`. */
export function isUserHandleOf(handle: string, userId: string): boolean {
  const presented = Buffer.from(handle, "base64url");
  const expected = Buffer.from(userHandleOf(userId));
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** A credential as the ceremonies need it. */
export type StoredCredential = {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: readonly string[];
};

const descriptor = (credential: Pick<StoredCredential, "credentialId" | "transports">) => ({
  id: credential.credentialId,
  transports: knownTransports(credential.transports),
});

/** `expectedChallenge` for the library: the challenge we stored, compared in constant time. */
function sameChallenge(expected: string) {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  const want = digest(expected);
  return (presented: string) => timingSafeEqual(digest(presented), want);
}

/** What `navigator.credentials.create()` is given to make a passkey. */
export function registrationOptions(
  options: ResolvedPasskeysOptions,
  user: { id: string; email: string; name: string | null },
  existing: readonly StoredCredential[],
  challenge: IssuedChallenge,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: options.rpName,
    rpID: options.rpId,
    userID: userHandleOf(user.id),
    userName: user.email,
    userDisplayName: user.name ?? user.email,
    challenge: challenge.bytes,
    timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
    attestationType: "none",
    excludeCredentials: existing.map(descriptor),
    authenticatorSelection: {
      residentKey: "required",
      requireResidentKey: true,
      userVerification: "preferred",
    },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
}

/** A credential the registration made, to store. */
export type NewCredential = {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: Transport[];
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  aaguid: string;
};

/** Why a response was refused: for logs and tests only, never for the client. */
export class CeremonyRefused extends Error {
  override readonly name = "CeremonyRefused";
}

/**
 * Verifies a registration response against the stored challenge, our origins and RP id, and
 * the algorithms we offered; the credential to store, or `CeremonyRefused`.
 */
export async function verifyRegistration(
  options: ResolvedPasskeysOptions,
  response: RegistrationResponseJSON,
  challenge: string,
): Promise<NewCredential> {
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: sameChallenge(challenge),
      expectedOrigin: [...options.origins],
      expectedRPID: options.rpId,
      expectedType: "webauthn.create",
      requireUserVerification: false,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  } catch (error) {
    throw new CeremonyRefused((error as Error).message, { cause: error });
  }
  if (!verified.verified) throw new CeremonyRefused("the attestation did not verify");
  // residentKey "required": a credential the browser says is not discoverable cannot sign in
  // by itself.
  if (response.clientExtensionResults?.credProps?.rk === false) {
    throw new CeremonyRefused("the authenticator made a non-discoverable credential");
  }
  const info = verified.registrationInfo;
  return {
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: knownTransports(response.response.transports),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    aaguid: info.aaguid,
  };
}

/** What `navigator.credentials.get()` is given; `allow` empty for a discoverable sign-in. */
export function authenticationOptions(
  options: ResolvedPasskeysOptions,
  allow: readonly StoredCredential[],
  userVerification: "required" | "preferred",
  challenge: IssuedChallenge,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: options.rpId,
    allowCredentials: allow.map(descriptor),
    challenge: challenge.bytes,
    timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
    userVerification,
  });
}

/** What a verified assertion tells about its credential now. */
export type VerifiedAssertion = {
  newCounter: number;
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  userVerified: boolean;
};

/**
 * Verifies an assertion of `credential` against the stored challenge, our origins and RP id:
 * the signature, user presence (and verification when `requireUserVerification`), and the
 * signature counter as the library does (a non-zero counter must grow: a counter that does
 * not is a cloned authenticator's or a replay's). `CeremonyRefused` otherwise.
 */
export async function verifyAssertion(
  options: ResolvedPasskeysOptions,
  response: AuthenticationResponseJSON,
  challenge: string,
  credential: StoredCredential,
  requireUserVerification: boolean,
): Promise<VerifiedAssertion> {
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: sameChallenge(challenge),
      expectedOrigin: [...options.origins],
      expectedRPID: options.rpId,
      expectedType: "webauthn.get",
      credential: {
        id: credential.credentialId,
        publicKey: new Uint8Array(credential.publicKey),
        counter: credential.counter,
        transports: knownTransports(credential.transports),
      },
      requireUserVerification,
    });
  } catch (error) {
    throw new CeremonyRefused((error as Error).message, { cause: error });
  }
  if (!verified.verified) throw new CeremonyRefused("the signature did not verify");
  const info = verified.authenticationInfo;
  return {
    newCounter: info.newCounter,
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    userVerified: info.userVerified,
  };
}
