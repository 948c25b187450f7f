/**
 * Writes the app's OpenAPI document, as `GET /api/openapi.json` answers it in production
 * (`__Host-` cookie names), to the file named on the command line.
 *
 *   tsx --conditions=@hybrid-auth/source apps/api/contract/write-openapi.ts out.json
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createTestApp } from "../src/testing/test-app.js";

const out = resolve(process.argv[2] ?? "apps/api/dist/openapi.json");
const t = await createTestApp({ auth: { secureCookies: true }, webDistDir: false });
try {
  const response = await t.client().get("/api/openapi.json");
  if (response.status !== 200) throw new Error(`GET /api/openapi.json: ${response.status}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(await response.json(), null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  await t.dispose();
}
