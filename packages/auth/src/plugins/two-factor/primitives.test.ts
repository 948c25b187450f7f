import { randomBytes } from "node:crypto";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { AuthConfigError } from "../../options/config-error.js";
import { resolveTwoFactorOptions, type TwoFactorOptions } from "./options.js";
import {
  hashRecoveryCode,
  newRecoveryCode,
  newRecoveryCodes,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
} from "./recovery-codes.js";
import { keyId, SecretBox } from "./secret-box.js";
import { matchingStep, newTotpSecret, timeStepAt, totpUri } from "./totp.js";

const key = () => randomBytes(32);
const base64Key = () => key().toString("base64");

describe("SecretBox", () => {
  const userId = "7f8c1f4e-2a63-4a52-9f8e-3c1e7a3b2d10";

  it("seals with the first key, names it, and opens only for the same user", () => {
    const [first, second] = [key(), key()];
    const box = new SecretBox([first, second]);
    const sealed = box.seal("JBSWY3DPEHPK3PXP", userId);
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(sealed.split(".")[1]).toBe(keyId(first));
    expect(box.open(sealed, userId)).toEqual({ plaintext: "JBSWY3DPEHPK3PXP", stale: false });
    expect(box.open(sealed, "another-user")).toBeUndefined();
    // A fresh IV each time: the same secret never seals to the same text.
    expect(box.seal("JBSWY3DPEHPK3PXP", userId)).not.toBe(sealed);
  });

  it("opens what an earlier key sealed after a rotation, and says it is stale", () => {
    const [old, fresh] = [key(), key()];
    const sealed = new SecretBox([old]).seal("SECRET", userId);
    const rotated = new SecretBox([fresh, old]);
    expect(rotated.open(sealed, userId)).toEqual({ plaintext: "SECRET", stale: true });
    const resealed = rotated.seal("SECRET", userId);
    expect(rotated.open(resealed, userId)).toEqual({ plaintext: "SECRET", stale: false });
    // Once the old key is dropped, its ciphertexts no longer open.
    expect(new SecretBox([fresh]).open(sealed, userId)).toBeUndefined();
  });

  it("refuses a tampered ciphertext, tag or key id", () => {
    const box = new SecretBox([key()]);
    const sealed = box.seal("SECRET", userId);
    const parts = sealed.split(".");
    const flip = (index: number) => {
      const copy = [...parts];
      const bytes = Buffer.from(copy[index]!, "base64url");
      bytes[0] = bytes[0]! ^ 1;
      copy[index] = bytes.toString("base64url");
      return copy.join(".");
    };
    expect(box.open(flip(2), userId)).toBeUndefined();
    expect(box.open(flip(3), userId)).toBeUndefined();
    expect(box.open(flip(4), userId)).toBeUndefined();
    expect(box.open(flip(1), userId)).toBeUndefined();
    expect(box.open("v2." + parts.slice(1).join("."), userId)).toBeUndefined();
    expect(box.open("garbage", userId)).toBeUndefined();
  });
});

describe("twoFactor options", () => {
  const resolve = (options: Partial<TwoFactorOptions>) =>
    resolveTwoFactorOptions(options as TwoFactorOptions);
  const optionAtFault = (options: unknown) => {
    try {
      resolveTwoFactorOptions(options as TwoFactorOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(AuthConfigError);
      return (error as AuthConfigError).option;
    }
    return undefined;
  };

  it("has the documented defaults", () => {
    const resolved = resolve({ encryptionKeys: [base64Key()] });
    expect(resolved.issuer).toBe("Hybrid Auth");
    expect(resolved.window).toBe(1);
    expect(resolved.throttle).toEqual({ points: 5, seconds: 900 });
  });

  it("accepts base64url keys and several keys", () => {
    const url = key().toString("base64url");
    expect(() => resolve({ encryptionKeys: [url, base64Key()] })).not.toThrow();
  });

  it("names the option at fault", () => {
    expect(optionAtFault(undefined)).toBe("plugins.two-factor.encryptionKeys");
    expect(optionAtFault({})).toBe("plugins.two-factor.encryptionKeys");
    expect(optionAtFault({ encryptionKeys: [] })).toBe("plugins.two-factor.encryptionKeys");
    expect(optionAtFault({ encryptionKeys: "abc" })).toBe("plugins.two-factor.encryptionKeys");
    const short = randomBytes(16).toString("base64");
    expect(optionAtFault({ encryptionKeys: [base64Key(), short] })).toBe(
      "plugins.two-factor.encryptionKeys.1",
    );
    expect(optionAtFault({ encryptionKeys: ["not base64!"] })).toBe(
      "plugins.two-factor.encryptionKeys.0",
    );
    expect(optionAtFault({ encryptionKeys: [Buffer.alloc(32).toString("base64")] })).toBe(
      "plugins.two-factor.encryptionKeys.0",
    );
    const same = base64Key();
    expect(optionAtFault({ encryptionKeys: [same, same] })).toBe(
      "plugins.two-factor.encryptionKeys.1",
    );
    const keys = [base64Key()];
    expect(optionAtFault({ encryptionKeys: keys, issuer: "" })).toBe("plugins.two-factor.issuer");
    expect(optionAtFault({ encryptionKeys: keys, issuer: "Acme: Inc" })).toBe(
      "plugins.two-factor.issuer",
    );
    expect(optionAtFault({ encryptionKeys: keys, window: 1.5 })).toBe("plugins.two-factor.window");
    expect(optionAtFault({ encryptionKeys: keys, window: 11 })).toBe("plugins.two-factor.window");
    expect(optionAtFault({ encryptionKeys: keys, throttle: { points: 0, seconds: 60 } })).toBe(
      "plugins.two-factor.throttle.points",
    );
    expect(optionAtFault({ encryptionKeys: keys, throttle: { points: 5 } })).toBe(
      "plugins.two-factor.throttle.seconds",
    );
    expect(optionAtFault({ encryptionKeys: keys, windw: 2 })).toBe("plugins.two-factor.windw");
  });
});

describe("recovery codes", () => {
  it("makes 10 distinct codes of two groups of five base32 characters", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
  });

  it("reads what a person types: case, spaces and dashes do not matter", () => {
    const code = newRecoveryCode();
    const compact = code.replace("-", "");
    for (const typed of [code, code.toUpperCase(), ` ${compact} `, compact.split("").join(" ")]) {
      expect(normalizeRecoveryCode(typed)).toBe(compact);
    }
    expect(normalizeRecoveryCode(code.replace("-", "–"))).toBe(compact);
    expect(normalizeRecoveryCode("abcde-fghi")).toBeUndefined();
    expect(normalizeRecoveryCode("abcde-fghi1")).toBeUndefined();
    expect(normalizeRecoveryCode("")).toBeUndefined();
  });

  it("hashes per user: the same code of two users hashes differently", () => {
    const code = normalizeRecoveryCode(newRecoveryCode())!;
    expect(hashRecoveryCode("a", code)).toBe(hashRecoveryCode("a", code));
    expect(hashRecoveryCode("a", code)).not.toBe(hashRecoveryCode("b", code));
    expect(hashRecoveryCode("a", code)).not.toContain(code);
  });
});

describe("TOTP", () => {
  const at = Date.UTC(2030, 0, 1, 12, 0, 10);

  it("accepts the current step and one either side by default, not two", async () => {
    const secret = newTotpSecret();
    const step = timeStepAt(at);
    for (const offset of [-1, 0, 1]) {
      const code = await generate({ secret, epoch: (step + offset) * 30 });
      expect(await matchingStep(secret, code, at, 1, -1)).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      const code = await generate({ secret, epoch: (step + offset) * 30 });
      expect(await matchingStep(secret, code, at, 1, -1)).toBeUndefined();
    }
    const previous = await generate({ secret, epoch: (step - 1) * 30 });
    expect(await matchingStep(secret, previous, at, 0, -1)).toBeUndefined();
  });

  it("refuses a step at or before the last used one", async () => {
    const secret = newTotpSecret();
    const step = timeStepAt(at);
    const code = await generate({ secret, epoch: step * 30 });
    expect(await matchingStep(secret, code, at, 1, step - 1)).toBe(step);
    expect(await matchingStep(secret, code, at, 1, step)).toBeUndefined();
    expect(await matchingStep(secret, code, at, 1, step + 1)).toBeUndefined();
    // Every step of the window used: refused without asking otplib (which would throw).
    expect(await matchingStep(secret, code, at, 1, step + 5)).toBeUndefined();
  });

  it("refuses what is not six digits without throwing", async () => {
    const secret = newTotpSecret();
    for (const code of ["", "12345", "1234567", "12345a", " 123456"]) {
      expect(await matchingStep(secret, code, at, 1, -1)).toBeUndefined();
    }
  });

  it("writes the otpauth URI apps scan, every parameter spelt out", () => {
    expect(totpUri("JBSWY3DPEHPK3PXP", "Hybrid Auth", "ann+2fa@example.com")).toBe(
      "otpauth://totp/Hybrid%20Auth:ann%2B2fa%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Hybrid%20Auth&algorithm=SHA1&digits=6&period=30",
    );
  });

  it("makes 160-bit base32 secrets", () => {
    expect(newTotpSecret()).toMatch(/^[A-Z2-7]{32}$/);
  });
});
