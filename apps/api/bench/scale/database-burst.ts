/**
 * The burst's second source: the same revocations, committed straight into PostgreSQL by
 * `pgbench` at `rate` a second. Each is one statement, so one transaction: the session row
 * revoked, its `revocation_events` row and its NOTIFY, in the wire format of
 * `createPostgresRevocationTransport` — what a revoking process commits. It measures the
 * fan-out alone: what every listening process must keep up with, without serving the
 * log-outs on the same two cores (HTTP log-outs are CPU-bound here, see performance.md).
 *
 * pgbench is C and costs next to nothing per transaction; it comes with PostgreSQL (Debian's
 * `postgresql` package). Sessions are taken in order from a table of targets, through a
 * sequence, so each one is revoked once.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@hybrid-auth/db";
import { DEFAULT_REVOCATION_CHANNEL } from "../../../../packages/auth/src/revocation/postgres-transport.js";
import { quantile } from "../load.js";
import type { BurstDriverOutput, BurstSecond } from "./burst-driver-types.js";
import type { RunningBurst } from "./drive-burst.js";

/** pgbench's connections: enough to keep the rate when a commit waits on another's NOTIFY. */
const CLIENTS = 8;

/** True when `pgbench` can be run. */
export const pgbenchAvailable = () => spawnSync("pgbench", ["--version"]).status === 0;

/**
 * One revocation: the next target session, revoked as a sign-out revokes it, its event row,
 * and the notification (`{"v":1,"n":<ms>,"s":[id],"u":[]}`) — all or nothing. `nextval` sits
 * in a subquery so that it runs once per statement, not once per row scanned.
 */
const REVOKE_NEXT = `
with target as (
  select session_id from bench_burst_targets
  where n = (select nextval('bench_burst_sequence'))
), revoked as (
  update sessions set revoked_at = now(), revoked_reason = 'signed_out'
  where id = (select session_id from target) and revoked_at is null
  returning id
), event as (
  insert into revocation_events (scope, subject_id, not_before)
  select 'session', id, now() from revoked
  returning subject_id, not_before
)
select pg_notify('${DEFAULT_REVOCATION_CHANNEL}', json_build_object(
  'v', 1,
  'n', floor(extract(epoch from not_before) * 1000)::bigint,
  's', json_build_array(subject_id),
  'u', json_build_array()
)::text) from event;
`.replace(/\s+/g, " ");

/**
 * Revokes `sessionIds` (in order, each once) at `rate` a second for `seconds`, from pgbench.
 *
 * @example
 * const burst = driveDatabaseBurst({ databaseUrl, sessionIds, rate: 1000, seconds: 10 });
 * await burst.started; // probe while it runs
 * const output = await burst.finished; // output.revoked: indexes into sessionIds
 */
export function driveDatabaseBurst(input: {
  databaseUrl: string;
  sessionIds: readonly string[];
  rate: number;
  seconds: number;
}): RunningBurst {
  const dir = mkdtempSync(join(tmpdir(), "bench-burst-"));
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const finished = (async () => {
    try {
      await prepareTargets(input.databaseUrl, input.sessionIds);
      const script = join(dir, "revoke.sql");
      writeFileSync(script, `${REVOKE_NEXT}\n`);
      const began = performance.now();
      const child = spawn(
        "pgbench",
        [
          "--no-vacuum",
          `--client=${CLIENTS}`,
          "--jobs=2",
          `--rate=${input.rate}`,
          `--time=${input.seconds}`,
          "--log",
          `--log-prefix=${join(dir, "tx")}`,
          `--file=${script}`,
          input.databaseUrl,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.once("spawn", markStarted);
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", resolve);
      });
      const elapsedSeconds = (performance.now() - began) / 1000;
      if (code !== 0) throw new Error(`pgbench exited with ${code}: ${output.slice(-2000)}`);
      const perSecond = secondsFromLogs(dir, input.seconds);
      const revoked = await revokedTargets(input.databaseUrl);
      return {
        requested: input.rate * input.seconds,
        sent: perSecond.reduce((sum, second) => sum + second.sent, 0),
        drained: true,
        maxInFlight: CLIENTS,
        elapsedSeconds,
        perSecond,
        revoked,
      } satisfies BurstDriverOutput;
    } finally {
      markStarted();
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return { started, finished };
}

async function prepareTargets(databaseUrl: string, sessionIds: readonly string[]) {
  const database = await openDatabase({ url: databaseUrl, maxConnections: 1 });
  try {
    const sql = database.postgres!;
    await sql`drop table if exists bench_burst_targets`;
    await sql`drop sequence if exists bench_burst_sequence`;
    await sql`create table bench_burst_targets (n bigint primary key, session_id uuid not null)`;
    await sql`create sequence bench_burst_sequence`;
    await sql`
      insert into bench_burst_targets (n, session_id)
      select ordinality, id::uuid from unnest(${sql.array([...sessionIds])}::text[]) with ordinality as t(id)`;
  } finally {
    await database.close();
  }
}

/** Indexes (into the targets) of the sessions the burst revoked. */
async function revokedTargets(databaseUrl: string): Promise<number[]> {
  const database = await openDatabase({ url: databaseUrl, maxConnections: 1 });
  try {
    const rows = await database.postgres!<{ n: string }[]>`
      select t.n from bench_burst_targets t join sessions s on s.id = t.session_id
      where s.revoked_at is not null order by t.n`;
    return rows.map((row) => Number(row.n) - 1);
  } finally {
    await database.close();
  }
}

/**
 * Per second of the burst, from pgbench's per-transaction logs (`client tx latency_µs
 * script epoch_s epoch_µs [lag]`, one file per thread).
 */
function secondsFromLogs(dir: string, seconds: number): BurstSecond[] {
  const lines = readdirSync(dir)
    .filter((name) => name.startsWith("tx"))
    .flatMap((name) => readFileSync(join(dir, name), "utf8").trim().split("\n"))
    .filter((line) => line.length > 0)
    .map((line) => line.split(" "));
  const sentAt = (fields: string[]) =>
    Number(fields[4]) * 1000 + Number(fields[5]) / 1000 - Number(fields[2]) / 1000;
  const first = Math.min(...lines.map(sentAt));
  const buckets = Array.from({ length: seconds }, () => ({ ok: [] as number[], failed: 0 }));
  for (const fields of lines) {
    const second = Math.min(seconds - 1, Math.floor((sentAt(fields) - first) / 1000));
    // pgbench logs "failed" (or "skipped") in the latency column when a transaction failed.
    const latencyUs = Number(fields[2]);
    if (Number.isFinite(latencyUs)) buckets[second]!.ok.push(latencyUs / 1000);
    else buckets[second]!.failed += 1;
  }
  return buckets.map(({ ok, failed }) => ({
    sent: ok.length + failed,
    revoked: ok.length,
    otherStatus: 0,
    errors: failed,
    p50Ms: ok.length ? quantile(ok, 0.5) : NaN,
    p99Ms: ok.length ? quantile(ok, 0.99) : NaN,
  }));
}
