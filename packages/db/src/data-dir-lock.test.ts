import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { DataDirLockedError, lockDataDir } from "./data-dir-lock.js";

const lockModule = fileURLToPath(new URL("./data-dir-lock.ts", import.meta.url));

describe("the embedded database's directory lock", () => {
  const root = mkdtempSync(join(tmpdir(), "hybrid-auth-lock-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("refuses a second opener with a clear error, and frees the directory on close", async () => {
    const dataDir = join(root, "pglite");
    const first = await openDatabase({ dataDir });
    const second = openDatabase({ dataDir });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(/in use by another process/);
    await first.close();
    const again = await openDatabase({ dataDir });
    await again.ping();
    await again.close();
  }, 120_000);

  it("takes over at once from a holder that was killed; refuses a live one in another process", async () => {
    const dataDir = join(root, "killed");
    const holder = (seconds: number) =>
      spawn(
        process.execPath,
        [
          "--conditions=@hybrid-auth/source",
          "--import",
          "tsx",
          "-e",
          `const { lockDataDir } = await import(${JSON.stringify(lockModule)});
           await lockDataDir(${JSON.stringify(dataDir)});
           console.log("locked");
           setTimeout(() => {}, ${seconds * 1000});`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
    const locked = (child: ChildProcess) =>
      new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("locked")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`the holder exited (${code})`)));
      });
    const child = holder(60);
    try {
      await locked(child);
      await expect(lockDataDir(dataDir)).rejects.toThrow(new RegExp(`process ${child.pid} on `));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      // No waiting for the lock to go stale: its holder is gone.
      const unlock = await lockDataDir(dataDir);
      await unlock();
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
