export { openDatabase } from "./database";
export type { Database, DatabaseOptions, Db, Tx } from "./database";
export { defaultMigrationsFolder, isMigrated, migrateDatabase } from "./migrations";
