/**
 * The contract fuzz (`pnpm test:contract`): the production server, Stoplight Prism in proxy
 * mode in front of it checking every request and response against `/api/openapi.json`, and
 * requests generated from that document by tools we did not write:
 *
 * - valid values: json-schema-faker (the generator Prism itself mocks with) for each request
 *   body and parameter schema, seeded through fast-check arbitraries;
 * - invalid ones: openapi-fuzzer-core's mutations (each field of the wrong type, each
 *   required field missing, unknown paths, unsupported methods) and fast-check's arbitrary
 *   JSON values, malformed JSON, wrong media types, anonymous and cross-site requests;
 * - stateful sequences: sign-up → sign-in → use → sign-out, to-do create → read → update →
 *   delete, API keys (create → use as a bearer → introspect → revoke), logout-others,
 *   password change, logout-all.
 *
 * Fails (exit 1, the request printed) on any 5xx, any response Prism finds not matching the
 * document, and any request Prism finds invalid that the fuzzer generated as valid. Writes
 * `{kind: "checks", passed, failed}` to `$CONTRACT_REPORT` for .ci/summarize.mjs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { generateSync, type JsonSchema } from "json-schema-faker";
import { repoRoot, startServer } from "../bench/server-process.js";
import { freePort } from "@hybrid-auth/db/testing";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const PASSWORD = "violet-kettle-harbour-93";
const NEW_PASSWORD = "amber-lantern-orchard-57";

type Schema = Record<string, unknown>;
type Parameter = { in: string; name: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: Record<string, string[]>[];
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, Schema> };
};
type Violation = { location: string[]; severity: string; code?: unknown; message: string };
type Intent = "valid" | "invalid";
type Request = {
  method: string;
  /** The document's path template this request exercises, if any (`/api/todos/{id}`). */
  operation?: string;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * Straight to the server, past Prism: Prism's proxy never answers a malformed JSON body
   * (it hangs), so those are checked here (400 problem+json) without it.
   */
  direct?: boolean;
  /** Send the user's cookies (default) or none. */
  anonymous?: boolean;
  intent: Intent;
  label: string;
};

// ---------------------------------------------------------------- processes

const require = createRequire(import.meta.url);
const prismBin = join(repoRoot, "node_modules/.bin/prism");
const fuzzer = require("openapi-fuzzer-core") as {
  swagger(data: unknown): { name: string; request: FuzzerRequest }[];
};
type FuzzerRequest = {
  method: string;
  path: string;
  pathParams?: Record<string, unknown>;
  queryParams?: Record<string, unknown>;
  body?: unknown;
};

const started = Date.now();
const prismPort = await freePort();
const base = `http://127.0.0.1:${prismPort}`;
/**
 * The browser-facing origin: a host name, as browsers see a real deployment (passkeys need a
 * domain name; on an IP address the app turns them off and they would go unfuzzed).
 */
const publicOrigin = `http://localhost:${prismPort}`;
const server = await startServer(
  {
    // Through Prism the browser-facing origin is Prism's (a reverse proxy's, as in production).
    APP_ORIGIN: publicOrigin,
    // Raised for the fuzz (one address signs in and up many times); the product keeps its own.
    AUTH_SIGN_INS_PER_CLIENT: "100000",
    AUTH_SIGN_UPS_PER_CLIENT: "100000",
  },
  // Migrating a fresh PGlite takes a while on a busy machine.
  { timeoutMs: 180_000 },
);
console.log(`server on ${server.url} (${Date.now() - started} ms)`);
const work = mkdtempSync(join(tmpdir(), "contract-"));

async function stopAll(): Promise<void> {
  prism.kill("SIGTERM");
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}

const document = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Document;
const documentFile = join(work, "openapi.json");
writeFileSync(documentFile, JSON.stringify(document));

const prism: ChildProcess = spawn(
  prismBin,
  ["proxy", documentFile, server.url, "--host", "127.0.0.1", "--port", String(prismPort)],
  { stdio: ["ignore", "pipe", "pipe"] },
);
const prismLog: string[] = [];
await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("Prism did not start")), 60_000);
  prism.once("exit", (code) => reject(new Error(`Prism exited with ${code}`)));
  const watch = (chunk: Buffer) => {
    const text = chunk.toString();
    prismLog.push(text);
    if (text.includes("Prism is listening")) {
      clearTimeout(timer);
      resolve();
    }
  };
  prism.stdout!.on("data", watch);
  prism.stderr!.on("data", watch);
});
console.log(`Prism proxy on ${base} (${Date.now() - started} ms)`);
prism.stdout!.removeAllListeners("data");
prism.stdout!.resume();

// ---------------------------------------------------------------- the client

const jar = new Map<string, string>();
let sent = 0;
const covered = new Set<string>();
const failures: string[] = [];
const statusCounts = new Map<number, number>();

function cookieHeader(): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

function keepCookies(response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split(";");
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

function describe(request: Request): string {
  const query = request.query ? `?${new URLSearchParams(stringQuery(request.query))}` : "";
  const body = request.rawBody ?? (request.body === undefined ? "" : JSON.stringify(request.body));
  return `${request.method} ${request.path}${query} [${request.intent}: ${request.label}] ${body.slice(0, 300)}`;
}

function stringQuery(query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

async function send(request: Request): Promise<{ status: number; body: unknown }> {
  // Prism's proxy forwards a JSON `null` body as no body with its Content-Length, and the
  // server waits for it (408 after 30 s): a limit of the proxy, not of the API; not sent.
  if (request.body === null) return { status: 0, body: undefined };
  // It does the same with the other falsy JSON bodies (`false`, `0`, `""`): those go straight
  // to the server, which must still answer them (422).
  const falsyBody = request.body === false || request.body === 0 || request.body === "";
  const url = new URL(request.path, request.direct || falsyBody ? server.url : base);
  if (request.query) {
    for (const [key, value] of Object.entries(stringQuery(request.query)))
      url.searchParams.set(key, value);
  }
  const headers: Record<string, string> = { Origin: publicOrigin, ...request.headers };
  if (!request.anonymous && jar.size > 0) headers.Cookie = cookieHeader();
  let body: string | undefined = request.rawBody;
  if (body === undefined && request.body !== undefined) body = JSON.stringify(request.body);
  if (body !== undefined) headers["Content-Type"] = request.contentType ?? "application/json";
  sent += 1;
  let response: Response;
  const sentAt = Date.now();
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    });
    const took = Date.now() - sentAt;
    if (took > 1000) console.log(`  slow (${took} ms): ${describe(request).slice(0, 160)}`);
  } catch (error) {
    failures.push(`no answer (${String(error)}): ${describe(request)}`);
    console.log(`  no answer: ${describe(request).slice(0, 160)}`);
    return { status: 0, body: undefined };
  }
  if (!request.anonymous) keepCookies(response);
  const text = await response.text();
  statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1);
  const violations = JSON.parse(response.headers.get("sl-violations") ?? "[]") as Violation[];
  const routeFound = !violations.some((v) => v.message === "Selected route not found");
  if (request.operation && routeFound)
    covered.add(`${request.method.toLowerCase()} ${request.operation}`);

  const problems: string[] = [];
  if (response.status >= 500) problems.push(`answered ${response.status}`);
  // Prism's proxy follows redirects: a documented redirect (the OpenID callback's 303) comes
  // back as the page it points to, which Prism then reports as an undocumented status.
  const redirects =
    request.operation !== undefined &&
    Object.keys(
      (document.paths[request.operation] as Record<string, { responses?: object }> | undefined)?.[
        request.method.toLowerCase()
      ]?.responses ?? {},
    ).some((status) => /^3\d\d$/.test(status));
  for (const violation of violations) {
    if (redirects && violation.message.startsWith("Unable to match the returned status code"))
      continue;
    if (violation.location[0] === "response")
      problems.push(`response violates the document: ${violation.message}`);
    else if (request.intent === "valid" && violation.severity === "Error")
      problems.push(`a generated valid request violates the document: ${violation.message}`);
  }
  if (request.direct && !(response.headers.get("content-type") ?? "").includes("problem+json"))
    problems.push("not a problem+json answer");
  if (!routeFound && response.status >= 400) {
    // Outside the document (unknown paths, other methods): still problem+json, 405 with Allow;
    // except a GET outside /api, which is the SPA's: its not-found page (HTML) with a 404, or
    // the plain 404 problem when no SPA is built.
    const type = response.headers.get("content-type") ?? "";
    const spaPage = request.method === "GET" && !/^\/api(\/|$)/.test(request.path);
    if (spaPage) {
      if (response.status !== 404 || !/^(text\/html|application\/problem\+json)/.test(type))
        problems.push(`an unknown SPA path answered ${response.status} ${type}`);
    } else if (!type.startsWith("application/problem+json")) problems.push(`answered ${type}`);
    if (response.status === 405 && !response.headers.get("allow"))
      problems.push("405 without Allow");
  }
  if (request.intent === "valid" && request.operation === undefined && !routeFound)
    problems.push("a valid request matched no operation");
  if (problems.length > 0) {
    failures.push(
      `${problems.join("; ")}\n    ${describe(request)}\n    → ${response.status} ${text.slice(0, 300)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

// ---------------------------------------------------------------- generators

/** A fast-check arbitrary of values valid for a JSON schema, drawn by json-schema-faker. */
function validFor(schema: Schema): fc.Arbitrary<unknown> {
  const withComponents = { ...schema, components: document.components } as JsonSchema;
  return fc
    .integer({ min: 1, max: 2 ** 31 - 1 })
    .map((seed) => generateSync(withComponents, { seed, maxDepth: 4, maxDefaultItems: 3 }));
}

let draws = 0;
function sample<T>(arbitrary: fc.Arbitrary<T>, runs = RUNS): T[] {
  draws += 1;
  return fc.sample(arbitrary, { seed: SEED + draws, numRuns: runs });
}

function bodySchema(operation: Operation): Schema | undefined {
  return operation.requestBody?.content["application/json"]?.schema;
}

const FORM = "application/x-www-form-urlencoded";
const API_KEY_SCHEME = "apiKey";

/** The scope of an operation only an API key may call (token introspection), if it is one. */
function apiKeyOnlyScope(operation: Operation): string | undefined {
  const requirements = operation.security ?? [];
  if (requirements.length === 0) return undefined;
  const scopes = requirements.map((requirement) =>
    Object.keys(requirement).length === 1 ? requirement[API_KEY_SCHEME]?.[0] : undefined,
  );
  return scopes.every((scope) => scope !== undefined) ? scopes[0] : undefined;
}

/** API keys the sequence made, by scope: the bearer of the key-only operations. */
const apiKeys: Record<string, string> = {};

/** A form body (`application/x-www-form-urlencoded`) from an object of values. */
const formBody = (values: unknown) =>
  new URLSearchParams(
    Object.entries((values ?? {}) as Record<string, unknown>).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  ).toString();

const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
);

// A to-do and a session of the user, for the path parameters of valid requests.
const ids: Record<string, () => string | undefined> = {};
function fillPath(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(String(values[name] ?? "x")),
  );
}

/** Operations that end the session: exercised in the sequences, not at random. */
const SESSION_ENDING = new Set([
  "post /api/auth/logout",
  "post /api/auth/logout-all",
  "post /api/auth/logout-others",
  "post /api/auth/password",
]);
/** Sign-up and sign-in hash a password (argon2, ~50 ms): fewer draws. */
const EXPENSIVE = new Set(["post /api/auth/register", "post /api/auth/login"]);

// ---------------------------------------------------------------- the run

const email = (tag: string) => `fuzz-${tag}-${Date.now()}@example.com`;

async function signUp(tag: string): Promise<{ email: string }> {
  jar.clear();
  const address = email(tag);
  const { status } = await send({
    method: "POST",
    operation: "/api/auth/register",
    path: "/api/auth/register",
    body: { email: address, password: PASSWORD, name: `Fuzz ${tag}` },
    intent: "valid",
    label: "sign-up",
  });
  if (status !== 201) throw new Error(`sign-up answered ${status}`);
  return { email: address };
}

const op = (method: string, path: string, extra: Partial<Request> = {}): Request => ({
  method,
  operation: path,
  path,
  intent: "valid",
  label: "sequence",
  ...extra,
});

async function todoSequence(): Promise<void> {
  const made: string[] = [];
  for (const title of ["first", "second", "third"]) {
    const { body } = await send(op("POST", "/api/todos", { body: { title } }));
    made.push((body as { todo: { id: string } }).todo.id);
  }
  // Read: a page of two, then the next page through the cursor.
  const first = await send(op("GET", "/api/todos", { query: { limit: 2 } }));
  const next = (first.body as { nextCursor: string | null }).nextCursor;
  if (next) await send(op("GET", "/api/todos", { query: { limit: 2, cursor: next } }));
  for (const id of made) {
    const path = `/api/todos/${id}`;
    await send(op("PATCH", "/api/todos/{id}", { path, body: { completed: true } }));
    await send(op("PATCH", "/api/todos/{id}", { path, body: { title: "renamed" } }));
  }
  const [gone] = made.splice(0, 1);
  await send(op("DELETE", "/api/todos/{id}", { path: `/api/todos/${gone}` }));
  // Deleted: now a 404 on every verb.
  await send(op("DELETE", "/api/todos/{id}", { path: `/api/todos/${gone}`, label: "gone" }));
  await send(
    op("PATCH", "/api/todos/{id}", { path: `/api/todos/${gone}`, body: { completed: false } }),
  );
  ids.id = () => made[0];
}

/** API keys: created (recent sign-up), listed, used as bearers, introspected, revoked. */
async function apiKeySequence(): Promise<void> {
  const made: Record<string, { id: string; secret: string }> = {};
  for (const scopes of [["introspect"], ["todos:read"], ["todos:write"]]) {
    const { status, body } = await send(
      op("POST", "/api/auth/api-keys", { body: { name: `fuzz ${scopes[0]}`, scopes } }),
    );
    if (status !== 201) throw new Error(`creating an API key answered ${status}`);
    const created = body as { apiKey: { id: string }; secret: string };
    made[scopes[0]!] = { id: created.apiKey.id, secret: created.secret };
    apiKeys[scopes[0]!] = created.secret;
  }
  await send(op("GET", "/api/auth/api-keys"));
  const bearer = (scope: string) => ({
    anonymous: true,
    headers: { Authorization: `Bearer ${made[scope]!.secret}` },
  });
  await send(op("GET", "/api/todos", { ...bearer("todos:read"), label: "an API key" }));
  await send(op("POST", "/api/todos", { ...bearer("todos:write"), body: { title: "by key" } }));
  const access = [...jar].find(([name]) => name.endsWith("auth_access"))?.[1];
  for (const token of [access ?? "x", made["todos:read"]!.secret, "not-a-token"]) {
    await send(
      op("POST", "/api/auth/introspect", {
        ...bearer("introspect"),
        rawBody: formBody({ token }),
        contentType: FORM,
      }),
    );
  }
  const revoked = made["todos:write"]!;
  await send(op("DELETE", "/api/auth/api-keys/{id}", { path: `/api/auth/api-keys/${revoked.id}` }));
  await send(
    op("POST", "/api/todos", {
      ...bearer("todos:write"),
      body: { title: "revoked" },
      label: "a revoked API key",
    }),
  );
}

async function readSequence(): Promise<void> {
  for (const path of ["/api/auth/session", "/api/auth/me", "/api/auth/activity"])
    await send(op("GET", path));
  const { body } = await send(op("GET", "/api/auth/sessions"));
  const sessions = (body as { sessions?: { id: string; current: boolean }[] }).sessions;
  const current = sessions?.find((session) => session.current)?.id;
  ids.sessionId = () => current;
}

/** Valid requests drawn from each operation's schemas. */
async function generatedValid(): Promise<void> {
  for (const { path, method, operation } of operations) {
    const key = `${method} ${path}`;
    if (SESSION_ENDING.has(key)) continue;
    const keyScope = apiKeyOnlyScope(operation);
    if (keyScope !== undefined) {
      await keyOnlyValid(path, method, operation, keyScope);
      continue;
    }
    const runs = EXPENSIVE.has(key) ? 3 : RUNS;
    const schema = bodySchema(operation);
    const bodies = schema ? sample(validFor(schema), runs) : Array.from({ length: runs });
    const queries = (operation.parameters ?? []).filter((p) => p.in === "query");
    for (const [index, body] of bodies.entries()) {
      const query: Record<string, unknown> = {};
      for (const parameter of queries) {
        // Optional parameters: sometimes sent, with a value drawn from their schema.
        const [value] = sample(validFor(parameter.schema ?? {}), 1);
        if (parameter.required || index % 2 === 0) query[parameter.name] = value;
      }
      // The cursor is opaque: one this API did not give is a 400, which the document says.
      const pathValues = { id: index % 2 === 0 ? ids.id?.() : crypto.randomUUID() };
      if (path.includes("sessions/{id}")) pathValues.id = crypto.randomUUID();
      await send({
        method: method.toUpperCase(),
        operation: path,
        path: fillPath(path, pathValues),
        query,
        body,
        intent: "valid",
        label: "generated from the schema",
      });
    }
  }
}

/** Valid requests to an operation only an API key may call: its form body, its key alone. */
async function keyOnlyValid(path: string, method: string, operation: Operation, scope: string) {
  const schema = operation.requestBody?.content[FORM]?.schema;
  const bodies = schema ? sample(validFor(schema), RUNS) : Array.from({ length: RUNS });
  for (const body of bodies) {
    await send({
      method: method.toUpperCase(),
      operation: path,
      path,
      anonymous: true,
      headers: { Authorization: `Bearer ${apiKeys[scope] ?? "missing"}` },
      ...(schema ? { rawBody: formBody(body), contentType: FORM } : {}),
      intent: "valid",
      label: "generated from the schema, with an API key",
    });
  }
}

/** openapi-fuzzer-core's mutations, on a Swagger 2 view of the document (what it reads). */
async function fuzzerCoreInvalid(): Promise<void> {
  const definitions: Record<string, Schema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { path, method, operation } of operations) {
    const parameters: unknown[] = (operation.parameters ?? []).map((parameter) => ({
      in: parameter.in,
      name: parameter.name,
      required: parameter.required,
      ...parameter.schema,
    }));
    const schema = bodySchema(operation);
    if (schema) {
      const name = `${method}${path.replace(/\W+/g, "_")}`;
      definitions[name] = schema;
      parameters.push({ in: "body", name: "body", schema: { $ref: `#/definitions/${name}` } });
    }
    (paths[path] ??= {})[method] = { parameters };
  }
  const specs = fuzzer.swagger({ basePath: "", paths, definitions });
  for (const { name, request } of specs) {
    const template = request.path;
    const known = template in document.paths && request.method in document.paths[template]!;
    await send({
      method: request.method.toUpperCase(),
      ...(known ? { operation: template } : {}),
      path: fillPath(template, { id: ids.id?.(), ...request.pathParams }),
      ...(request.queryParams ? { query: request.queryParams } : {}),
      ...(request.body === undefined ? {} : { body: request.body }),
      intent: "invalid",
      label: `openapi-fuzzer-core ${name}`,
    });
  }
}

/** fast-check's arbitrary JSON, broken bodies, no cookies, another origin, a big body. */
async function arbitraryInvalid(): Promise<void> {
  for (const { path, method, operation } of operations) {
    const key = `${method} ${path}`;
    const target = (extra: Partial<Request>): Request => ({
      method: method.toUpperCase(),
      operation: path,
      path: fillPath(path, { id: ids.id?.() }),
      intent: "invalid",
      label: "",
      ...extra,
    });
    if (operation.security?.every((requirement) => Object.keys(requirement).length > 0))
      await send(target({ anonymous: true, label: "no cookies" }));
    if (method === "get") continue;
    await send(target({ headers: { Origin: "https://evil.example" }, label: "cross-site" }));
    if (!bodySchema(operation) || SESSION_ENDING.has(key)) continue;
    const runs = EXPENSIVE.has(key) ? 2 : RUNS;
    for (const body of sample(fc.jsonValue({ maxDepth: 3 }), runs))
      await send(target({ body, label: "fast-check jsonValue" }));
    for (const raw of sample(fc.string({ maxLength: 40 }), 2))
      await send(target({ rawBody: `{${raw}`, label: "malformed JSON", direct: true }));
    await send(target({ rawBody: "title=x", contentType: "text/plain", label: "not JSON" }));
  }
  // Path parameters that are no id, and a body over the limit.
  for (const id of sample(fc.string({ minLength: 1, maxLength: 60 }), RUNS)) {
    await send({
      method: "DELETE",
      operation: "/api/todos/{id}",
      path: `/api/todos/${encodeURIComponent(id)}`,
      intent: "invalid",
      label: "fast-check id",
    });
  }
  await send({
    method: "POST",
    operation: "/api/todos",
    path: "/api/todos",
    rawBody: JSON.stringify({ title: "x".repeat(70_000) }),
    intent: "invalid",
    label: "over the body limit",
  });
}

/** sign-in → use → sign-out, a second device, logout-others, password change, logout-all. */
async function sessionSequences(user: { email: string }): Promise<void> {
  const login = (password: string, label: string) =>
    send(op("POST", "/api/auth/login", { body: { email: user.email, password }, label }));
  const phone = new Map(jar);
  jar.clear();
  await login(PASSWORD, "second device");
  await send(op("GET", "/api/auth/me"));
  await login("not-the-password-1", "wrong password");
  const device = new Map(jar);
  // Back on the first device: sign the other one out, then revoke a session by id.
  jar.clear();
  for (const [name, value] of phone) jar.set(name, value);
  await send(op("POST", "/api/auth/logout-others"));
  await send(op("GET", "/api/auth/sessions"));
  jar.clear();
  for (const [name, value] of device) jar.set(name, value);
  await send(op("GET", "/api/auth/me", { label: "revoked device" }));
  jar.clear();
  for (const [name, value] of phone) jar.set(name, value);
  await send(
    op("POST", "/api/auth/password", {
      body: { currentPassword: "wrong-password-9", newPassword: NEW_PASSWORD },
      label: "wrong current password",
    }),
  );
  await send(
    op("POST", "/api/auth/password", {
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    }),
  );
  await send(op("POST", "/api/auth/logout"));
  await send(op("GET", "/api/auth/session", { label: "signed out" }));
  await send(op("POST", "/api/auth/logout", { label: "signed out already" }));
  await login(NEW_PASSWORD, "new password");
  const { body } = await send(op("GET", "/api/auth/sessions"));
  const current = (body as { sessions?: { id: string; current: boolean }[] }).sessions?.find(
    (session) => session.current,
  );
  await send(op("POST", "/api/auth/logout-all"));
  await send(op("GET", "/api/auth/me", { label: "after logout-all" }));
  await send(op("POST", "/api/auth/logout-all", { label: "after logout-all" }));
  await login(NEW_PASSWORD, "again");
  if (current) {
    await send(
      op("DELETE", "/api/auth/sessions/{id}", {
        path: `/api/auth/sessions/${current.id}`,
        label: "an ended session",
      }),
    );
  }
  const mine = await send(op("GET", "/api/auth/sessions"));
  const self = (mine.body as { sessions?: { id: string; current: boolean }[] }).sessions?.find(
    (session) => session.current,
  );
  if (self) {
    await send(
      op("DELETE", "/api/auth/sessions/{id}", {
        path: `/api/auth/sessions/${self.id}`,
        label: "this session",
      }),
    );
  }
  await send(op("GET", "/api/auth/me", { label: "after revoking this session" }));
}

let exitCode = 1;
try {
  const user = await signUp("a");
  await readSequence();
  console.log(`readSequence: ${sent} sent (${Date.now() - started} ms)`);
  await todoSequence();
  console.log(`todoSequence: ${sent} sent (${Date.now() - started} ms)`);
  await apiKeySequence();
  console.log(`apiKeySequence: ${sent} sent (${Date.now() - started} ms)`);
  await generatedValid();
  console.log(`generatedValid: ${sent} sent (${Date.now() - started} ms)`);
  await fuzzerCoreInvalid();
  console.log(`fuzzerCoreInvalid: ${sent} sent (${Date.now() - started} ms)`);
  await arbitraryInvalid();
  console.log(`arbitraryInvalid: ${sent} sent (${Date.now() - started} ms)`);
  await readSequence();
  await sessionSequences(user);
  // Other paths and methods, signed out.
  await send({ method: "GET", path: "/api/nothing-here", intent: "invalid", label: "unknown" });

  const all = operations.map(({ path, method }) => `${method} ${path}`);
  const missed = all.filter((key) => !covered.has(key));
  const statuses = [...statusCounts]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(" ");
  if (missed.length > 0) failures.push(`operations never exercised: ${missed.join(", ")}`);
  console.log(`\ncontract fuzz (seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  console.log(`  requests sent through Prism: ${sent}`);
  console.log(`  operations covered: ${all.length - missed.length} of ${all.length}`);
  console.log(`  statuses: ${statuses}`);
  console.log(`  failures (5xx, document mismatches): ${failures.length}`);
  for (const failure of failures.slice(0, 30)) console.log(`  ✗ ${failure}`);
  if (process.env.CONTRACT_REPORT) {
    writeFileSync(
      process.env.CONTRACT_REPORT,
      JSON.stringify({
        kind: "checks",
        passed: sent - failures.length,
        failed: failures.length,
        requests: sent,
        operations: all.length,
        covered: all.length - missed.length,
        statuses: Object.fromEntries(statusCounts),
      }),
    );
  }
  exitCode = failures.length === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
  console.error(prismLog.join("").slice(-2000));
} finally {
  await stopAll();
}
process.exit(exitCode);
