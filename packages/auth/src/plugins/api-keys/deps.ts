import type { PluginContext } from "../plugin.js";
import type { ResolvedApiKeysOptions } from "./options.js";
import type { ApiKeyStore } from "./store.js";
import type { ApiKeysTable } from "./tables.js";
import type { ApiKeyVerifier } from "./verifier.js";

/** What the plugin's routes share. */
export type ApiKeysDeps = {
  context: PluginContext;
  options: ResolvedApiKeysOptions;
  table: ApiKeysTable;
  store: ApiKeyStore;
  verifier: ApiKeyVerifier;
};
