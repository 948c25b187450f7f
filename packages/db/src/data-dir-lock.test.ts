import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { DataDirLockedError } from "./data-dir-lock.js";

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
});
