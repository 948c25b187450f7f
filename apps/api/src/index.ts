import { serve } from "@hono/node-server";
import { migrateDatabase, openDatabase } from "@hybrid-auth/db";
import { createApp } from "./app";
import { ConfigError, loadConfig } from "./config";

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: `${config.dataDir}/pglite` },
  );
  await migrateDatabase(database);
  const { app, auth } = await createApp({
    database,
    config,
    logError: config.logLevel === "silent" ? () => {} : (error) => console.error(error),
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const where = config.databaseUrl ? "PostgreSQL" : `embedded PGlite in ${config.dataDir}`;
    console.log(`listening on http://localhost:${info.port} (${config.nodeEnv}, ${where})`);
  });
  const shutdown = () => {
    server.close(() => {
      void auth
        .close()
        .then(() => database.close())
        .finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
