/**
 * Memory under 100 000 distinct sessions, through the real classes in one small process
 * (`node --import tsx --expose-gc apps/api/bench/memory-probe.ts`; prints one JSON line):
 *
 * 1. 100 000 requests, each with the access token of a different session (minted elsewhere,
 *    as by another API process), through the real auth middleware: every one is verified and
 *    enters the verified-token cache, which must stay at its 10 000 entries.
 * 2. 100 000 revocation events for distinct sessions over two token lifetimes (20 simulated
 *    minutes), fed to the real revocation list: it must hold only the last lifetime's events.
 *
 * Heap (after a full GC) is sampled every 10 000 sessions; the peak RSS is the kernel's
 * high-water mark for this process (`VmHWM`).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Hono } from "hono";
import { createAuth, type AuthEnv } from "@hybrid-auth/auth";
import { ManualClock } from "@hybrid-auth/auth/testing";
import { openDatabase } from "@hybrid-auth/db";
import { migrateApp } from "../src/db/migrate.js";
import { AccessTokenService } from "../../../packages/auth/src/tokens/access-token.js";
import { createKeyRing } from "../../../packages/auth/src/tokens/key-ring.js";

const SESSIONS = 100_000;
const TTL_SECONDS = 600;
const SECRET = "memory-probe-secret-0123456789-abcdefghijklmnop";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

function peakRssMb(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : mib(process.memoryUsage().rss);
}

function rssMb(): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : mib(process.memoryUsage().rss);
}

function heapMb(): number {
  gc();
  return mib(process.memoryUsage().heapUsed);
}

async function main(): Promise<void> {
  const clock = new ManualClock(Date.now());
  const database = await openDatabase();
  await migrateApp(database);
  const auth = await createAuth({
    db: database.db,
    clock,
    secret: SECRET,
    accessTokenTtlSeconds: TTL_SECONDS,
    secureCookies: false,
  });
  const app = new Hono<AuthEnv>()
    .use(auth.middleware, auth.requireAuth)
    .get("/", (c) => c.json({ ok: c.get("auth")!.sessionId }));
  // Another process's token service with the same secret: its mints do not warm our cache.
  const elsewhere = new AccessTokenService({
    keys: await createKeyRing(SECRET),
    issuer: "hybrid-auth",
    audience: "hybrid-auth",
    ttlSeconds: TTL_SECONDS,
    cacheSize: 1,
  });

  const baselineHeap = heapMb();
  // Embedded PGlite alone takes several hundred MiB (its WebAssembly memory): what the
  // sessions add is the growth over the RSS measured here.
  const rssBefore = rssMb();
  let rssPeak = rssBefore;
  const started = performance.now();
  const tokenHeap: { sessions: number; heapMb: number }[] = [];
  let failures = 0;
  for (let i = 1; i <= SESSIONS; i += 1) {
    const { token } = await elsewhere.mint(
      {
        userId: randomUUID(),
        sessionId: randomUUID(),
        role: "user",
        authTime: Math.floor(clock.now() / 1000),
      },
      clock.now(),
    );
    const response = await app.fetch(
      new Request("http://probe.test/", { headers: { cookie: `auth_access=${token}` } }),
    );
    if (response.status !== 200) failures += 1;
    await response.arrayBuffer();
    if (i % 1000 === 0) rssPeak = Math.max(rssPeak, rssMb());
    if (i % 10_000 === 0) tokenHeap.push({ sessions: i, heapMb: heapMb() });
  }

  const list = auth.internals.revocations.list;
  const stepMs = (2 * TTL_SECONDS * 1000) / SESSIONS; // 100 000 events over two lifetimes
  let maxEvents = 0;
  const revocationHeap: { events: number; listSize: number; heapMb: number }[] = [];
  for (let i = 1; i <= SESSIONS; i += 1) {
    clock.advance(stepMs);
    list.add([{ scope: "session", subjectId: randomUUID(), notBefore: clock.now() }], clock.now());
    maxEvents = Math.max(maxEvents, list.size);
    if (i % 1000 === 0) rssPeak = Math.max(rssPeak, rssMb());
    if (i % 10_000 === 0) revocationHeap.push({ events: i, listSize: list.size, heapMb: heapMb() });
  }
  // Events older than one lifetime (+1 s) are pruned, at most once a second: at most
  // (lifetime + 2 s) worth of events remain.
  const eventsPerLifetime = Math.ceil(((TTL_SECONDS + 2) * 1000) / stepMs);
  const seconds = Math.round((performance.now() - started) / 100) / 10;

  await auth.close();
  await database.close();
  console.log(
    JSON.stringify({
      sessions: SESSIONS,
      failedRequests: failures,
      tokenCache: { limit: 10_000, baselineHeapMb: baselineHeap, heap: tokenHeap },
      revocations: {
        events: SESSIONS,
        overSeconds: 2 * TTL_SECONDS,
        ttlSeconds: TTL_SECONDS,
        maxListSize: maxEvents,
        finalListSize: list.size,
        boundEventsPerLifetime: eventsPerLifetime,
        heap: revocationHeap,
      },
      rssBeforeMb: rssBefore,
      rssPeakDuringMb: rssPeak,
      rssGrowthMb: Math.round((rssPeak - rssBefore) * 10) / 10,
      peakRssMb: peakRssMb(),
      seconds,
    }),
  );
}

await main();
