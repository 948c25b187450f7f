import { randomBytes } from "node:crypto";
import { openDatabase } from "@hybrid-auth/db";

export type ScratchDatabase = { url: string; drop(): Promise<void> };

/** A throwaway database on the PostgreSQL server at `serverUrl`, dropped by `drop()`. */
export async function createScratchDatabase(
  serverUrl: string,
  label: string,
): Promise<ScratchDatabase> {
  const name = `${label}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = await openDatabase({ url: serverUrl, maxConnections: 1 });
  try {
    await admin.postgres!.unsafe(`create database "${name}"`);
  } finally {
    await admin.close();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = await openDatabase({ url: serverUrl, maxConnections: 1 });
      try {
        await dropper.postgres!.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.close();
      }
    },
  };
}

/** True when a PostgreSQL server answers at `url` (within the 5 s connect timeout). */
export async function reachable(url: string): Promise<boolean> {
  const probe = await openDatabase({ url, maxConnections: 1 });
  try {
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}
