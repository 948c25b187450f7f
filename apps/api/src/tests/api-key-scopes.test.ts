import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_SCHEME } from "@hybrid-auth/auth";
import { createTestApp, type TestApp } from "../testing/test-app.js";

type Operation = { security?: Record<string, string[]>[] };
type Document = { paths: Record<string, Record<string, Operation>> };

/**
 * Default-deny, walked over the whole API: an API key holding every scope but `introspect`
 * calls every operation of the OpenAPI document. Only the operations that list the API-key
 * scheme with one of its scopes (the to-dos) may answer anything but 401/403; the others must
 * refuse it before their handler — except the few that read no credentials at all.
 */
let t: TestApp;
let document: Document;
let secret: string;
const HELD = ["todos:read", "todos:write"];

/**
 * Operations that never look at credentials: the health checks and the API reference
 * (`security: []`), the password-strength check (session-free: it reads no session), and
 * the bearer token endpoint, whose credentials are in its body (a key in the header is not one).
 */
const CREDENTIAL_FREE = new Set([
  "GET /api/health",
  "GET /api/ready",
  "GET /api/openapi.json",
  "GET /api/docs",
  "GET /api/docs/scalar.js",
  "GET /api/docs/init.js",
  "POST /api/auth/password/check",
  "POST /api/auth/token",
  "GET /.well-known/jwks.json",
]);

beforeAll(async () => {
  t = await createTestApp();
  document = (await (await t.client().get("/api/openapi.json")).json()) as Document;
  const user = await t.signUp();
  const response = await user.client.post("/api/auth/api-keys", { name: "all", scopes: HELD });
  expect(response.status).toBe(201);
  secret = ((await response.json()) as { secret: string }).secret;
}, 90_000);
afterAll(() => t.dispose());

/** A value for each path parameter: a UUID (a to-do's, a session's…) or a name. */
const fill = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    name === "id" || name.endsWith("Id") ? "00000000-0000-4000-8000-000000000000" : "x",
  );

describe("an API key on every operation of the OpenAPI document", () => {
  it("reaches only the operations that name its scopes", async () => {
    const outcomes: string[] = [];
    let keyed = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (CREDENTIAL_FREE.has(name)) continue;
        const scopes = (operation.security ?? []).flatMap(
          (requirement) => requirement[API_KEY_SCHEME] ?? [],
        );
        const admitted = scopes.some((scope) => HELD.includes(scope));
        const response = await t
          .client({ Authorization: `Bearer ${secret}` })
          .request(method.toUpperCase(), fill(path), method === "get" ? {} : { json: {} });
        const refused = response.status === 401 || response.status === 403;
        if (admitted) keyed += 1;
        if (admitted === refused) outcomes.push(`${name} → ${response.status}`);
      }
    }
    expect(outcomes).toEqual([]);
    // The to-dos: list, create, complete all, update, delete.
    expect(keyed).toBe(5);
  });

  it("the credential-free operations declare no credential", () => {
    for (const name of CREDENTIAL_FREE) {
      const [method, path] = name.split(" ") as [string, string];
      const operation = document.paths[path]?.[method.toLowerCase()];
      expect(operation, name).toBeDefined();
      const schemes = (operation!.security ?? []).flatMap((requirement) =>
        Object.keys(requirement),
      );
      expect(schemes, name).not.toContain(API_KEY_SCHEME);
    }
  });
});
