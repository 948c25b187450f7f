// Keeps the bench's peer (Better Auth, apps/api/bench/peers) out of the product's dependency
// graph. Better Auth declares optional peer dependencies on every ORM and framework it has an
// adapter for, and pnpm links an optional peer whenever that package is anywhere in the
// workspace: drizzle-orm (ours) would become Better Auth's peer, and Better Auth's pg and
// kysely would become drizzle-orm's, giving apps/api, packages/auth and packages/db a new
// variant of drizzle-orm (one that a production install would bring pg along with).
// Better Auth runs here on its built-in Kysely adapter over pg, and drizzle-orm on postgres.js
// and PGlite only, so those optional peers are dropped.
const DROPPED = {
  "better-auth": (name) => name !== "pg",
  "@better-auth/": (name) => name !== "pg",
  "drizzle-orm": (name) => name === "pg" || name === "@types/pg" || name === "kysely",
};

function readPackage(pkg) {
  const rule = Object.entries(DROPPED).find(([prefix]) =>
    prefix.endsWith("/") ? pkg.name.startsWith(prefix) : pkg.name === prefix,
  )?.[1];
  if (!rule) return pkg;
  for (const name of Object.keys(pkg.peerDependencies ?? {})) {
    if (!pkg.peerDependenciesMeta?.[name]?.optional || !rule(name)) continue;
    delete pkg.peerDependencies[name];
    delete pkg.peerDependenciesMeta[name];
  }
  return pkg;
}

module.exports = { hooks: { readPackage } };
