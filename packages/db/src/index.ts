export { openDatabase } from "./database.js";
export { DataDirLockedError } from "./data-dir-lock.js";
export type { Database, DatabaseOptions, Db, Tx } from "./database.js";
export { isMigrated, migrateDatabase, type DrizzleMigrations } from "./migrations.js";
