import { AuthConfigError } from "../options/config-error.js";

/**
 * Throws an {@link AuthConfigError} naming the first key of `options` that the plugin does not
 * know: a misspelt option must not silently fall back to a default.
 *
 * @example
 * assertKnownOptions("notes", options, ["maxNotes"]);
 */
export function assertKnownOptions(
  pluginId: string,
  options: object | undefined,
  known: readonly string[],
): void {
  for (const key of Object.keys(options ?? {})) {
    if (!known.includes(key)) {
      throw new AuthConfigError(
        `plugins.${pluginId}.${key}`,
        `is not an option of the ${pluginId} plugin (known: ${known.join(", ") || "none"})`,
      );
    }
  }
}
