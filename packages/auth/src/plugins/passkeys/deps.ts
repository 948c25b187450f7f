import type { KeyedLimit } from "../../abuse/abuse-limits.js";
import type { PluginContext } from "../plugin.js";
import type { ChallengeStore } from "./challenges.js";
import type { ResolvedPasskeysOptions } from "./options.js";
import type { PasskeyStore } from "./store.js";
import type { PasskeysTables } from "./tables.js";

/** What the plugin's flows share; built once in `setup`. */
export type PasskeysDeps = {
  context: PluginContext;
  options: ResolvedPasskeysOptions;
  tables: PasskeysTables;
  passkeys: PasskeyStore;
  challenges: ChallengeStore;
  limits: {
    /** Ceremonies started, per client address (each writes a challenge row). */
    ceremonies: KeyedLimit;
    /** Assertions presented, per client address (a success gives its point back). */
    assertions: KeyedLimit;
  };
};
