import { isUuid } from "../../ids.js";

/**
 * A keyset position in a newest-first list: the last row's creation time and id. Opaque to
 * clients (base64url), so the list can change how it pages without breaking them.
 */
export type Cursor = { createdAt: Date; id: string };

/** `createdAt` in ms and the id, base64url. */
export function encodeCursor(row: { createdAt: Date; id: string | number }): string {
  return Buffer.from(`${row.createdAt.getTime()}.${row.id}`).toString("base64url");
}

/** 9999-12-31T23:59:59.999Z. */
const LATEST_MS = 253_402_300_799_999;

const CURSOR = /^(\d{1,15})\.([0-9a-f-]{36}|\d{1,15})$/;

/**
 * The position a cursor names, or `undefined` when it is not one of ours (or its id is not of
 * `idKind`: a uuid, or a serial number).
 */
export function decodeCursor(cursor: string, idKind: "uuid" | "serial"): Cursor | undefined {
  if (cursor.length > 100 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const match = CURSOR.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) return undefined;
  const id = match[2]!;
  const ms = Number(match[1]);
  // PostgreSQL's timestamps end with the year 9999.
  if (ms > LATEST_MS) return undefined;
  if (idKind === "uuid" ? !isUuid(id) : !/^\d+$/.test(id)) return undefined;
  return { createdAt: new Date(ms), id };
}
