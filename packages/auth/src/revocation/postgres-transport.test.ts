import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { openDatabase } from "@hybrid-auth/db";
import {
  pgbouncerMissing,
  startPgBouncer,
  type PgBouncer,
  type TestDatabase,
} from "@hybrid-auth/db/testing";
import { createAuthTestDatabase } from "../tests/test-database.js";
// Not exported by @hybrid-auth/db/testing (yet): the one place tests read which server to use.
import { testDatabaseUrl } from "../../../db/src/testing/env.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPostgresRevocationTransport,
  decodeRevocationPayload,
  DEFAULT_REVOCATION_CHANNEL,
  encodeRevocationPayloads,
  MAX_PAYLOAD_BYTES,
  RevocationDeliveryError,
} from "./postgres-transport.js";
import type { RevocationEvent } from "./revocation-list.js";
import type { RevocationTransport } from "./transport.js";

const sessionEvents = (count: number, notBefore: number): RevocationEvent[] =>
  Array.from({ length: count }, () => ({ scope: "session", subjectId: randomUUID(), notBefore }));

describe("revocation payloads", () => {
  it("round-trip, grouped by not-before instant", () => {
    const user = randomUUID();
    const events: RevocationEvent[] = [
      ...sessionEvents(2, 1_700_000_000_123),
      { scope: "user", subjectId: user, notBefore: 1_700_000_000_123 },
      ...sessionEvents(1, 1_700_000_000_456),
    ];
    const payloads = encodeRevocationPayloads(events);
    expect(payloads).toHaveLength(2);
    const decoded = payloads.flatMap((payload) => decodeRevocationPayload(payload) ?? []);
    expect(decoded).toEqual(expect.arrayContaining(events));
    expect(decoded).toHaveLength(events.length);
  });

  it("chunk a mass revocation far below PostgreSQL's 8000-byte NOTIFY limit", () => {
    const events = sessionEvents(500, Date.now());
    const payloads = encodeRevocationPayloads(events);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) {
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    }
    const ids = payloads.flatMap((payload) =>
      decodeRevocationPayload(payload)!.map((e) => e.subjectId),
    );
    expect(ids).toEqual(events.map((event) => event.subjectId));
    expect(encodeRevocationPayloads([])).toEqual([]);
  });

  it("refuse anything malformed", () => {
    const id = randomUUID();
    for (const payload of [
      "",
      "not json",
      "null",
      "[]",
      "42",
      "{}",
      JSON.stringify({ v: 2, n: 1, s: [id], u: [] }),
      JSON.stringify({ v: 1, n: -1, s: [id], u: [] }),
      JSON.stringify({ v: 1, n: 1.5, s: [id], u: [] }),
      JSON.stringify({ v: 1, n: "1", s: [id], u: [] }),
      JSON.stringify({ v: 1, n: 1, s: [id] }),
      JSON.stringify({ v: 1, n: 1, s: ["not-a-uuid"], u: [] }),
      JSON.stringify({ v: 1, n: 1, s: [42], u: [] }),
      JSON.stringify({ v: 1, n: 1, s: {}, u: [] }),
      JSON.stringify({ v: 1, n: 1, s: [], u: [id], pad: "x".repeat(9000) }),
    ]) {
      expect(decodeRevocationPayload(payload), payload.slice(0, 60)).toBeUndefined();
    }
    expect(decodeRevocationPayload(JSON.stringify({ v: 1, n: 5, s: [], u: [id] }))).toEqual([
      { scope: "user", subjectId: id, notBefore: 5 },
    ]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!testDatabaseUrl())("the PostgreSQL revocation transport", () => {
  let database: TestDatabase;
  let transport: RevocationTransport;
  const received: RevocationEvent[] = [];
  let connects = 0;

  /** Publishes `events` in a transaction that commits, or rolls back when `rollback`. */
  const publish = async (events: RevocationEvent[], rollback = false) => {
    await database.db
      .transaction(async (tx) => {
        await transport.publish(tx, events);
        if (rollback) throw new Error("roll back");
      })
      .catch((error: unknown) => {
        if (!rollback) throw error;
      });
  };
  const receivedIds = () => new Set(received.map((event) => event.subjectId));
  /** A committed marker event; once it arrives, everything notified before it has too. */
  const flush = async () => {
    const [marker] = sessionEvents(1, Date.now());
    await publish([marker!]);
    await waitFor(() => receivedIds().has(marker!.subjectId));
  };

  beforeAll(async () => {
    database = await createAuthTestDatabase();
    transport = createPostgresRevocationTransport(database.postgres!);
    await transport.start({
      onEvents: (events) => received.push(...events),
      onConnected: async () => {
        connects += 1;
      },
      inTransaction: (work) => database.db.transaction(work),
    });
  });
  afterAll(async () => {
    await transport?.stop();
    await database?.dispose();
  });

  it("loads the recent events once at start", () => {
    expect(connects).toBe(1);
  });

  it("delivers what commits, and nothing of what rolls back", async () => {
    const rolledBack = sessionEvents(3, Date.now());
    const committed = sessionEvents(3, Date.now());
    await publish(rolledBack, true);
    await publish(committed);
    await flush();
    const ids = receivedIds();
    for (const event of committed) expect(ids.has(event.subjectId)).toBe(true);
    for (const event of rolledBack) expect(ids.has(event.subjectId)).toBe(false);
  });

  it("delivers a 500-session revocation completely, in several notifications", async () => {
    const events = sessionEvents(500, Date.now());
    await publish(events);
    await waitFor(() => events.every((event) => receivedIds().has(event.subjectId)));
  });

  it("ignores malformed notifications on its channel", async () => {
    const before = received.length;
    const sql = database.postgres!;
    for (const payload of ["garbage", "{}", JSON.stringify({ v: 1, n: 1, s: ["x"], u: [] })]) {
      await sql`select pg_notify(${DEFAULT_REVOCATION_CHANNEL}, ${payload})`;
    }
    await flush();
    expect(received.length).toBe(before + 1);
  });

  it("listens again and reloads after its connection is killed", async () => {
    const terminated = await database.postgres!<{ pid: number }[]>`
      select pg_terminate_backend(pid) as pid from pg_stat_activity
      where datname = current_database() and query ilike 'listen%'`;
    expect(terminated).toHaveLength(1);
    await waitFor(() => connects === 2);
    await flush();
  });

  it("ignores the test notification another transport sends at start", async () => {
    const before = received.length;
    const other = createPostgresRevocationTransport(database.postgres!);
    await other.start({
      onEvents: () => {},
      onConnected: async () => {},
      inTransaction: (work) => database.db.transaction(work),
    });
    await other.stop();
    await flush();
    expect(received.length).toBe(before + 1);
  });

  it("refuses to start when what is published never reaches its LISTEN connection", async () => {
    // Listening on another database of the same server: notifications stay per database.
    const elsewhere = postgres(testDatabaseUrl()!, { max: 1, onnotice: () => {} });
    try {
      const deaf = createPostgresRevocationTransport(elsewhere, { deliveryCheckMs: 300 });
      let loaded = false;
      const starting = deaf.start({
        onEvents: () => {},
        onConnected: async () => void (loaded = true),
        inTransaction: (work) => database.db.transaction(work),
      });
      await expect(starting).rejects.toThrow(RevocationDeliveryError);
      expect(loaded).toBe(false);
    } finally {
      await elsewhere.end();
    }
  });
});

/**
 * PgBouncer in transaction mode hands a client's server connection to other clients after
 * every transaction: a LISTEN through it is left on a connection nobody reads. Publishing
 * through it is fine (NOTIFY is part of the revoking transaction); listening must be direct.
 */
const noPgBouncer = testDatabaseUrl() ? pgbouncerMissing() : "no PostgreSQL";
describe.skipIf(noPgBouncer !== undefined)("the revocation transport behind PgBouncer", () => {
  let database: TestDatabase;
  let pooler: PgBouncer;

  beforeAll(async () => {
    database = await createAuthTestDatabase();
    pooler = await startPgBouncer({ serverUrl: testDatabaseUrl()! });
  });
  afterAll(async () => {
    await database?.dispose();
    await pooler?.stop();
  });

  it("refuses to start with its LISTEN connection through the pooler", async () => {
    const pooled = await openDatabase({ url: pooler.urlFor(database.url!), prepare: false });
    try {
      const transport = createPostgresRevocationTransport(pooled.listener!, {
        deliveryCheckMs: 1000,
      });
      const starting = transport.start({
        onEvents: () => {},
        onConnected: async () => {},
        inTransaction: (work) => pooled.db.transaction(work),
      });
      await expect(starting).rejects.toThrow(RevocationDeliveryError);
    } finally {
      await pooled.close();
    }
  });

  it("delivers what commits through the pooler to a direct LISTEN connection", async () => {
    const pooled = await openDatabase({
      url: pooler.urlFor(database.url!),
      prepare: false,
      listenUrl: database.url!,
    });
    const got: RevocationEvent[] = [];
    const transport = createPostgresRevocationTransport(pooled.listener!);
    try {
      await transport.start({
        onEvents: (events) => got.push(...events),
        onConnected: async () => {},
        inTransaction: (work) => pooled.db.transaction(work),
      });
      const rolledBack = sessionEvents(2, Date.now());
      const committed = sessionEvents(2, Date.now());
      await pooled.db
        .transaction(async (tx) => {
          await transport.publish(tx, rolledBack);
          throw new Error("roll back");
        })
        .catch(() => {});
      await pooled.db.transaction((tx) => transport.publish(tx, committed));
      await waitFor(() => got.length >= committed.length);
      expect(got.map((event) => event.subjectId)).toEqual(
        committed.map((event) => event.subjectId),
      );
    } finally {
      await transport.stop();
      await pooled.close();
    }
  });
});
