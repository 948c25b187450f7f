import { describe, expect, it } from "vitest";
import { AuthConfigError } from "../../options/config-error.js";
import { apiKeys } from "./index.js";
import { resolveApiKeysOptions, type ApiKeysOptions } from "./options.js";

const SCOPES = { "todos:read": "Read your to-dos" };

describe("apiKeys() options", () => {
  it("fills in the defaults and always offers introspect", () => {
    const resolved = resolveApiKeysOptions({ scopes: SCOPES });
    expect(resolved).toMatchObject({ prefix: "hak_", maxKeysPerUser: 25, lastUsedFlushSeconds: 5 });
    expect([...resolved.scopes.keys()]).toEqual(["todos:read", "introspect"]);
  });

  it.each<[string, unknown, string]>([
    ["no scopes", {}, "plugins.api-keys.scopes"],
    ["empty scopes", { scopes: {} }, "plugins.api-keys.scopes"],
    ["a bad scope name", { scopes: { "Todos Read": "x" } }, "plugins.api-keys.scopes.Todos Read"],
    ["introspect redefined", { scopes: { introspect: "x" } }, "plugins.api-keys.scopes.introspect"],
    ["no description", { scopes: { "a:b": " " } }, "plugins.api-keys.scopes.a:b"],
    ["a bad prefix", { scopes: SCOPES, prefix: "HAK-" }, "plugins.api-keys.prefix"],
    ["a cap of 0", { scopes: SCOPES, maxKeysPerUser: 0 }, "plugins.api-keys.maxKeysPerUser"],
    ["a typo", { scopes: SCOPES, maxKeysPerUsr: 3 }, "plugins.api-keys.maxKeysPerUsr"],
  ])("refuses %s eagerly, naming the option", (_, options, key) => {
    let error: unknown;
    try {
      apiKeys(options as ApiKeysOptions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as Error).message).toContain(key);
  });
});
