import { resolve } from "node:path";
import lockfile from "proper-lockfile";

/** Seconds after which a lock whose holder stopped refreshing it (a crash) counts as free. */
const STALE_SECONDS = 30;

/**
 * Another process (a running server, or a command) holds the embedded database's directory:
 * PGlite is one process's database, and two over one directory would corrupt it.
 */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  readonly code = "EDATADIRLOCKED";

  constructor(readonly dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another process (a running server?). ` +
        `Stop it and try again. (A lock left by a process that crashed frees itself within ${STALE_SECONDS} s.)`,
    );
  }
}

/**
 * Takes the directory's lock (`<dataDir>.lock`, refreshed while held, with proper-lockfile:
 * atomic `mkdir`, so it also works across containers sharing a volume) or throws
 * `DataDirLockedError`. Resolves to the function that releases it.
 *
 * @example
 * const unlock = await lockDataDir(".data/pglite");
 * try { … } finally { await unlock(); }
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const directory = resolve(dataDir);
  try {
    return await lockfile.lock(directory, {
      lockfilePath: `${directory}.lock`,
      realpath: false,
      retries: 0,
      stale: STALE_SECONDS * 1000,
      update: 5000,
      // A refresh that came too late (an event loop blocked for half a minute): say so rather
      // than crash a server that is otherwise fine.
      onCompromised: (error) =>
        console.error(`warning: the lock on ${directory}: ${error.message}`),
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ELOCKED") throw new DataDirLockedError(directory);
    throw error;
  }
}
