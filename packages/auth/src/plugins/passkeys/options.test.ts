import { describe, expect, it } from "vitest";
import { AuthConfigError } from "../../options/config-error.js";
import { resolvePasskeysOptions, type PasskeysOptions } from "./options.js";

const valid: PasskeysOptions = {
  rpId: "example.com",
  rpName: "Tidy",
  origins: ["https://example.com", "https://app.example.com"],
};

function refusal(options: unknown): AuthConfigError {
  try {
    resolvePasskeysOptions(options as PasskeysOptions);
  } catch (error) {
    if (error instanceof AuthConfigError) return error;
    throw error;
  }
  throw new Error("accepted");
}

describe("passkeys options", () => {
  it("accepts a domain, its origins and localhost for development", () => {
    expect(resolvePasskeysOptions(valid)).toMatchObject({
      rpId: "example.com",
      maxPasskeysPerUser: 20,
      httpsOnly: true,
    });
    const dev = resolvePasskeysOptions({
      rpId: "localhost",
      rpName: " Tidy ",
      origins: ["http://localhost:5173"],
    });
    expect(dev).toMatchObject({ rpName: "Tidy", httpsOnly: false });
  });

  it.each([
    [{ ...valid, rpId: undefined }, "plugins.passkeys.rpId"],
    [{ ...valid, rpId: "https://example.com" }, "plugins.passkeys.rpId"],
    [{ ...valid, rpId: "example.com:443" }, "plugins.passkeys.rpId"],
    [{ ...valid, rpId: "Example.com" }, "plugins.passkeys.rpId"],
    [{ ...valid, rpId: "com" }, "plugins.passkeys.rpId"],
    [{ ...valid, rpId: "192.168.0.1", origins: ["https://192.168.0.1"] }, "plugins.passkeys.rpId"],
    [{ ...valid, rpId: "exa_mple.com" }, "plugins.passkeys.rpId"],
    [{ ...valid, rpName: "  " }, "plugins.passkeys.rpName"],
    [{ ...valid, rpName: 3 }, "plugins.passkeys.rpName"],
    [{ ...valid, origins: [] }, "plugins.passkeys.origins"],
    [{ ...valid, origins: "https://example.com" }, "plugins.passkeys.origins"],
    [{ ...valid, origins: ["example.com"] }, "plugins.passkeys.origins.0"],
    [
      { ...valid, origins: ["https://example.com", "http://example.com"] },
      "plugins.passkeys.origins.1",
    ],
    [{ ...valid, origins: ["https://example.com/app"] }, "plugins.passkeys.origins.0"],
    [{ ...valid, origins: ["https://example.com/"] }, "plugins.passkeys.origins.0"],
    [{ ...valid, origins: ["https://example.org"] }, "plugins.passkeys.origins.0"],
    [{ ...valid, origins: ["https://notexample.com"] }, "plugins.passkeys.origins.0"],
    [{ ...valid, origins: ["ftp://example.com"] }, "plugins.passkeys.origins.0"],
    [{ ...valid, maxPasskeysPerUser: 0 }, "plugins.passkeys.maxPasskeysPerUser"],
    [{ ...valid, maxPasskeysPerUser: 2.5 }, "plugins.passkeys.maxPasskeysPerUser"],
    [{ ...valid, rpID: "example.com" }, "plugins.passkeys.rpID"],
  ])("refuses %j naming %s", (options, option) => {
    expect(refusal(options).option).toBe(option);
  });
});
