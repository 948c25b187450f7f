import type { PluginWorker } from "../plugin.js";
import type { ApiKeyStore } from "./store.js";
import type { ApiKeyVerifier } from "./verifier.js";
import type { Db } from "../../db.js";

/**
 * Writes the keys' last use every `intervalSeconds`, in one statement per round: a request
 * authenticated by a key only sets an entry in memory (no write on the request's path).
 * A round that fails puts its entries back for the next one.
 */
export function lastUsedWorker(
  db: Db,
  store: ApiKeyStore,
  verifier: ApiKeyVerifier,
  intervalSeconds: number,
  onError: (error: unknown) => void = (error) =>
    console.error("api-keys: writing last-use times failed", error),
): PluginWorker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  const flush = async (): Promise<number> => {
    const uses = verifier.takeUses();
    try {
      await store.recordLastUse(db, uses);
      return uses.size;
    } catch (error) {
      verifier.putBack(uses);
      throw error;
    }
  };
  const round = () => {
    running ??= flush()
      .catch((error: unknown) => {
        onError(error);
        return 0;
      })
      .finally(() => (running = undefined));
    return running;
  };
  return {
    name: "api-keys-last-used",
    start() {
      if (timer) return;
      timer = setInterval(() => void round(), intervalSeconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await round();
    },
    runOnce: async () => ({ written: await flush() }),
  };
}
