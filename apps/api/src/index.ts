import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { serve } from "@hono/node-server";
import {
  createPostgresRevocationTransport,
  inProcessTransport,
  RevocationDeliveryError,
} from "@hybrid-auth/auth";
import { DEFAULT_PASSWORD_POLICY, passwordProblem } from "@hybrid-auth/auth/password-policy";
import { openDatabase } from "@hybrid-auth/db";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { databaseOptions, LISTEN_HINT } from "./db/database-options.js";
import { migrateApp } from "./db/migrate.js";
import { runPrimary } from "./server/cluster.js";
import { httpServerOptions, limitConnections } from "./server/http-limits.js";
import { sharedLimiterStore } from "./server/limiter-store.js";

/** One API process: the database, the app, the HTTP server. */
async function serveApi(config: Config, { migrate }: { migrate: boolean }): Promise<void> {
  const database = await openDatabase(databaseOptions(config));
  if (migrate) await migrateApp(database);
  const logError =
    config.logLevel === "silent" ? () => {} : (error: unknown) => console.error(error);
  // PostgreSQL: other processes may share the database, so revocations travel over
  // LISTEN/NOTIFY (LISTEN on DATABASE_LISTEN_URL when set: a session of its own, past the
  // pooler). Embedded PGlite is one process: nobody else to tell.
  const revocationTransport = database.listener
    ? createPostgresRevocationTransport(database.listener, { onError: logError })
    : inProcessTransport;
  const limits = sharedLimiterStore(config, database);
  const { app, auth } = await createApp({
    database,
    config,
    logError,
    log: config.logLevel === "info" ? (line) => console.log(line) : () => {},
    revocationTransport,
    trustedProxies: config.trustProxyHops,
    allowedOrigins: config.allowedOrigins,
    limiterStore: limits.store,
    abuseLimits: {
      signInsPerClient: { points: config.limits.signInsPerClient, seconds: 5 * 60 },
      signUpsPerClient: { points: config.limits.signUpsPerClient, seconds: 5 * 60 },
      unknownDeviceFailuresPerAccount: {
        points: config.limits.failuresPerAccount,
        seconds: 15 * 60,
      },
    },
    // Every worker hashes on its own threads: share the cores − 1 among them, so a sign-in
    // flood on every worker still leaves a core to the event loops.
    maxConcurrentHashes: Math.max(
      1,
      Math.floor((availableParallelism() - 1) / config.webConcurrency),
    ),
    maxQueuedHashes: config.limits.maxQueuedHashes,
    hashThreadNice: config.limits.hashThreadNice,
  }).catch((error: unknown) => {
    if (error instanceof RevocationDeliveryError) {
      throw new ConfigError(`${error.message}\n${LISTEN_HINT}`);
    }
    throw error;
  });
  // Every process (cluster worker) schedules the retention job; on PostgreSQL its advisory
  // lock makes one of them do the work at a time.
  if (config.retention.intervalSeconds > 0) auth.retention.start();
  // The mail outbox: every process delivers; a message is claimed by one at a time.
  auth.workers.start();
  if (config.mail.transport.kind === "files" && config.logLevel === "info") {
    console.log(
      `mail: no SMTP_URL, so every message is written to ${config.mail.transport.directory} ` +
        `(links point to ${config.mail.publicUrl})`,
    );
  }
  const serverOptions = httpServerOptions(config.http);
  const listen = { fetch: app.fetch, port: config.port, hostname: config.host, serverOptions };
  const server = serve(listen, (info) => {
    const where = config.databaseUrl ? "PostgreSQL" : `embedded PGlite in ${config.dataDir}`;
    const worker = cluster.isWorker ? `, worker ${process.pid}` : "";
    console.log(
      `listening on http://localhost:${info.port} (${config.nodeEnv}, ${where}${worker})`,
    );
    // The password-strength estimator builds its dictionaries on first use (about 0.6 s of
    // CPU): now, rather than on the first sign-up or live password check.
    setTimeout(() => passwordProblem("warm-up only", DEFAULT_PASSWORD_POLICY, []), 0).unref();
  });
  limitConnections(server, config.http);
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close(() => {
      void auth
        .close()
        .then(() => limits.close())
        .then(() => database.close())
        .finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

/** Migrations run once, in the primary, before any worker starts. */
async function migrateOnce(config: Config): Promise<void> {
  const database = await openDatabase(databaseOptions(config, { maxConnections: 2 }));
  try {
    await migrateApp(database);
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.webConcurrency > 1 && cluster.isPrimary) {
    await runPrimary({
      workers: config.webConcurrency,
      prepare: () => migrateOnce(config),
    });
    return;
  }
  await serveApi(config, { migrate: cluster.isPrimary });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
