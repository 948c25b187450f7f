import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";

/** A credential the software authenticator holds. */
export type SoftwareCredential = {
  id: string;
  rpId: string;
  /** base64url, as the RP gave it at registration. */
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
};

export type AuthenticatorSettings = {
  /** The origin the "browser" reports in `clientDataJSON` (a phishing page's, say). */
  origin: string;
  /** Whether it verifies the user (PIN, biometrics): the UV flag. Default true. */
  userVerification?: boolean;
  /** A synced passkey (backup eligible and backed up). Default false. */
  synced?: boolean;
  /** How much the signature counter grows per use; 0 for authenticators that keep none. */
  counterStep?: number;
  /** The AAGUID of the model, as 16 bytes hex. Default all zeros. */
  aaguidHex?: string;
};

/** What a single ceremony may change (to forge a bad response). */
export type CeremonyOverrides = {
  origin?: string;
  /** The RP id hashed into the authenticator data. */
  rpId?: string;
  challenge?: string;
  type?: string;
  userVerification?: boolean;
  /** The signature counter to report (instead of the next one). */
  counter?: number;
  /** Which of the authenticator's credentials to assert with (registration: the id to make). */
  credentialId?: string;
  /** The user handle to report (null: none). */
  userHandle?: string | null;
  /** Report `credProps.rk` (registration). */
  residentKey?: boolean;
};

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

/** The COSE_Key (RFC 9053) of a P-256 public key, for ES256 (-7). */
function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: "jwk" });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x!, "base64url"))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, "base64url"))],
    ]),
  );
}

/**
 * A WebAuthn authenticator and browser in software, for tests: ES256 (node:crypto) keys,
 * `none` attestation, discoverable credentials. It answers the options the server hands out
 * with the JSON `@simplewebauthn/browser` would send, and can be told to lie (another origin,
 * RP id, challenge, counter) to test refusals.
 */
export class SoftwareAuthenticator {
  readonly credentials: SoftwareCredential[] = [];

  constructor(readonly settings: AuthenticatorSettings) {}

  #flags(userVerified: boolean, extra = 0): number {
    let flags = FLAG_UP | extra;
    if (userVerified) flags |= FLAG_UV;
    if (this.settings.synced) flags |= FLAG_BE | FLAG_BS;
    return flags;
  }

  #clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** `navigator.credentials.create()`: a new credential for the options' RP and user. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    const rpId = overrides.rpId ?? options.rp.id ?? "";
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(c.id))) {
      throw new Error(
        "InvalidStateError: the authenticator already holds a credential for this account",
      );
    }
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const credentialId =
      overrides.credentialId === undefined
        ? randomBytes(16)
        : Buffer.from(overrides.credentialId, "base64url");
    const counter = overrides.counter ?? 0;
    const aaguid = Buffer.from(this.settings.aaguidHex ?? "00".repeat(16), "hex");
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([
        this.#flags(overrides.userVerification ?? this.settings.userVerification ?? true, FLAG_AT),
      ]),
      uint32(counter),
      aaguid,
      idLength,
      credentialId,
      coseKey(publicKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", new Uint8Array(authData)],
      ]),
    );
    const clientData = this.#clientData(
      overrides.type ?? "webauthn.create",
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.settings.origin,
    );
    const id = b64url(credentialId);
    this.credentials.push({ id, rpId, userHandle: options.user.id, privateKey, counter });
    return {
      id,
      rawId: id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestationObject),
        transports: ["internal", "hybrid"],
      },
      clientExtensionResults: { credProps: { rk: overrides.residentKey ?? true } },
      authenticatorAttachment: "platform",
    };
  }

  /** `navigator.credentials.get()`: an assertion by one of its credentials for the options' RP. */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: CeremonyOverrides = {},
  ): AuthenticationResponseJSON {
    const rpId = overrides.rpId ?? options.rpId ?? "";
    const allowed = (options.allowCredentials ?? []).map((c) => c.id);
    const credential =
      overrides.credentialId !== undefined
        ? this.credentials.find((c) => c.id === overrides.credentialId)
        : this.credentials.find(
            (c) =>
              c.rpId === (options.rpId ?? "") && (allowed.length === 0 || allowed.includes(c.id)),
          );
    if (!credential) throw new Error("NotAllowedError: no credential for these options");
    const counter = overrides.counter ?? credential.counter + (this.settings.counterStep ?? 1);
    credential.counter = counter;
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([
        this.#flags(overrides.userVerification ?? this.settings.userVerification ?? true),
      ]),
      uint32(counter),
    ]);
    const clientData = this.#clientData(
      overrides.type ?? "webauthn.get",
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.settings.origin,
    );
    const signature = sign(
      "sha256",
      Buffer.concat([authData, sha256(clientData)]),
      credential.privateKey,
    );
    const userHandle =
      overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
