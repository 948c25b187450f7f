import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import lockfile from "proper-lockfile";

/** Seconds after which a lock whose holder stopped refreshing it counts as free. */
const STALE_SECONDS = 30;

/**
 * Another process (a running server, or a command) holds the embedded database's directory:
 * PGlite is one process's database, and two over one directory would corrupt it.
 */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  readonly code = "EDATADIRLOCKED";

  constructor(
    readonly dataDir: string,
    holder: Owner | undefined,
  ) {
    const who = holder ? ` (process ${holder.pid} on ${holder.host})` : "";
    super(
      `The embedded database in ${dataDir} is in use by another process${who}, a running ` +
        `server perhaps. Stop it and try again.`,
    );
  }
}

type Owner = { pid: number; host: string };

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as Partial<Owner>;
    return typeof owner.pid === "number" && typeof owner.host === "string"
      ? { pid: owner.pid, host: owner.host }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The locks this process holds, by lock path. */
const held = new Set<string>();

/**
 * Whether the process of this machine that wrote `owner` still holds `lockPath`: alive, or
 * this very process holding it now (its own id in a lock it does not hold is a leftover of an
 * earlier run of a container, where process ids repeat).
 */
function stillHeld(pid: number, lockPath: string): boolean {
  if (pid === process.pid) return held.has(lockPath);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the directory's lock or throws `DataDirLockedError`; resolves to the function that
 * releases it. The lock is proper-lockfile's (`<dataDir>.lock`: an atomic `mkdir`, refreshed
 * while held, so it also works across containers sharing a volume), with the holder's process
 * id and host beside it (`<dataDir>.lock.owner`): a holder on this machine that is no longer
 * running (killed, crashed) gives its lock up at once, so a restarted server does not wait for
 * the lock to go stale; a holder elsewhere, after `STALE_SECONDS` without a refresh.
 *
 * @example
 * const unlock = await lockDataDir(".data/pglite");
 * try { … } finally { await unlock(); }
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const directory = resolve(dataDir);
  const lockPath = `${directory}.lock`;
  const ownerFile = `${lockPath}.owner`;
  const take = () =>
    lockfile.lock(directory, {
      lockfilePath: lockPath,
      realpath: false,
      retries: 0,
      stale: STALE_SECONDS * 1000,
      update: 5000,
      // A refresh that came too late (an event loop blocked for half a minute): say so rather
      // than crash a server that is otherwise fine.
      onCompromised: (error) =>
        console.error(`warning: the lock on ${directory}: ${error.message}`),
    });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ELOCKED") throw error;
    const holder = readOwner(ownerFile);
    const abandoned = holder?.host === hostname() && !stillHeld(holder.pid, lockPath);
    if (!abandoned) throw new DataDirLockedError(directory, holder);
    rmSync(lockPath, { recursive: true, force: true });
    try {
      release = await take();
    } catch (again) {
      // Another process took it over first.
      if ((again as { code?: unknown }).code === "ELOCKED") {
        throw new DataDirLockedError(directory, readOwner(ownerFile));
      }
      throw again;
    }
  }
  held.add(lockPath);
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, host: hostname() }));
  return async () => {
    held.delete(lockPath);
    rmSync(ownerFile, { force: true });
    await release();
  };
}
