import { describe, expect, it } from "vitest";
import { describeSignInMethods } from "./sign-in-methods";

describe("describeSignInMethods", () => {
  it.each([
    [["password"], "Password"],
    [["password", "totp"], "Password + authenticator app"],
    [["password", "recovery_code"], "Password + recovery code"],
    [["passkey"], "Passkey"],
    [["password", "passkey"], "Password + passkey"],
    [["oidc_google"], "Oidc google"],
    // A sign-in provider's session: its configured name once loaded, else its id capitalised.
    [["oidc:github"], "Github"],
  ])("%j reads %s", (methods, text) => {
    expect(describeSignInMethods(methods)).toBe(text);
  });

  it("says nothing when the server does not say", () => {
    expect(describeSignInMethods(undefined)).toBeUndefined();
    expect(describeSignInMethods([])).toBeUndefined();
  });
});
