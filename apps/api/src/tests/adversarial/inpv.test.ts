/**
 * WSTG-INPV: hostile input on every JSON endpoint. hostile-input.test.ts covers the basic
 * 415/400/413/422 answers on POST /api/todos; this file goes after every other endpoint, at
 * sizes past the parsers' comfort zone, and checks that what is stored round-trips.
 * The body limit is raised to 1 MiB here so that deep JSON is really parsed, not cut off.
 * The second half fuzzes every JSON endpoint with fast-check.
 */
import fc from "fast-check";
import { eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions, users } from "@hybrid-auth/auth/schema";
import type { TestClient } from "@hybrid-auth/auth/testing";
import { todos } from "../../todos/schema.js";
import {
  createTestApp,
  STRONG_PASSWORD,
  uniqueEmail,
  type TestApp,
} from "../../testing/test-app.js";
import {
  NOBODYS_ID,
  OTHER_STRONG_PASSWORD,
  cookieHeader,
  expectProblem,
  pointersOf,
  rawPost,
  type SignedIn,
} from "./helpers.js";

const BODY_LIMIT = 1024 * 1024;

let t: TestApp;
let alice: SignedIn;
let todoId: string;

beforeAll(async () => {
  t = await createTestApp({ bodyLimitBytes: BODY_LIMIT });
  alice = await t.signUp();
  const response = await alice.client.post("/api/todos", { title: "keep me" });
  todoId = ((await response.json()) as { todo: { id: string } }).todo.id;
});
afterAll(() => t.dispose());

/** Counts of everything hostile input could have written. */
async function rowCounts() {
  const db = t.database.db;
  const [u, s, d] = await Promise.all([
    db.select({ id: users.id }).from(users),
    db.select({ id: sessions.id }).from(sessions),
    db.select().from(todos),
  ]);
  return { users: u.length, sessions: s.length, todos: d };
}

type Endpoint = { method: string; path: () => string; signedIn: boolean };
const ENDPOINTS: Record<string, Endpoint> = {
  register: { method: "POST", path: () => "/api/auth/register", signedIn: false },
  login: { method: "POST", path: () => "/api/auth/login", signedIn: false },
  password: { method: "POST", path: () => "/api/auth/password", signedIn: true },
  "create todo": { method: "POST", path: () => "/api/todos", signedIn: true },
  "update todo": { method: "PATCH", path: () => `/api/todos/${todoId}`, signedIn: true },
};

function send(name: string, body: RequestInit["body"], contentType = "application/json") {
  const endpoint = ENDPOINTS[name]!;
  const client = endpoint.signedIn ? alice.client : t.client();
  return rawPost(client, endpoint.method, endpoint.path(), body, contentType);
}

const sendJson = (name: string, value: unknown) => send(name, JSON.stringify(value));

describe("WSTG-INPV deeply nested and oversized bodies", () => {
  const DEPTH = 100_000;
  it.each(Object.keys(ENDPOINTS))(
    "%s: 100 000-deep arrays and objects are refused with a 4xx problem",
    async (name) => {
      const before = await rowCounts();
      const arrays = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;
      const objects = `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`;
      const inField = `{"title":${"[".repeat(DEPTH)}${"]".repeat(DEPTH)},"email":${arrays}}`;
      for (const body of [arrays, objects, inField]) {
        expect(body.length).toBeLessThan(BODY_LIMIT);
        const response = await send(name, body);
        expect([400, 422]).toContain(response.status);
        await expectProblem(response, response.status);
      }
      expect(await rowCounts()).toEqual(before);
    },
  );

  const TEN_MB = 10 * 1024 * 1024;
  it.each([
    [
      "register, declared length",
      "register",
      () => JSON.stringify({ email: "a@b.c", password: "x".repeat(TEN_MB) }),
    ],
    [
      "create todo, declared length",
      "create todo",
      () => JSON.stringify({ title: "x".repeat(TEN_MB) }),
    ],
    [
      "create todo, streamed without a length",
      "create todo",
      () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            const chunk = new Uint8Array(1024 * 1024).fill(0x20);
            for (let i = 0; i < 10; i += 1) controller.enqueue(chunk);
            controller.close();
          },
        }),
    ],
  ] as [string, string, () => RequestInit["body"]][])(
    "a 10 MB body (%s) is cut off with 413",
    async (_what, name, body) => {
      const before = await rowCounts();
      const started = performance.now();
      const endpoint = ENDPOINTS[name]!;
      const client = endpoint.signedIn ? alice.client : t.client();
      const headers = new Headers({ "Content-Type": "application/json" });
      if (client.cookies.size > 0) headers.set("Cookie", cookieHeader([...client.cookies]));
      const response = await t.app.fetch(
        new Request(`http://localhost${endpoint.path()}`, {
          method: endpoint.method,
          headers,
          body: body(),
          duplex: "half",
        } as RequestInit),
      );
      await expectProblem(response, 413);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await rowCounts()).toEqual(before);
    },
  );
});

describe("WSTG-INPV NUL bytes, lone surrogates and wrong types", () => {
  const register = (extra: Record<string, unknown>) => ({
    email: uniqueEmail("inpv"),
    password: STRONG_PASSWORD,
    ...extra,
  });
  const login = (extra: Record<string, unknown>) => ({
    email: alice.email,
    password: alice.password,
    ...extra,
  });
  const change = (extra: Record<string, unknown>) => ({
    currentPassword: alice.password,
    newPassword: OTHER_STRONG_PASSWORD,
    ...extra,
  });
  it.each([
    // NUL bytes: PostgreSQL text cannot hold them; they must be a 422, not a driver error.
    ["register", () => register({ email: "nul\u0000@example.com" }), "/email"],
    ["register", () => register({ password: "violet\u0000kettle-harbour-93" }), "/password"],
    ["login", () => login({ email: `${alice.email}\u0000` }), "/email"],
    ["login", () => login({ password: `${alice.password}\u0000` }), "/password"],
    ["password", () => change({ newPassword: "amber\u0000lighthouse-quietly-17" }), "/newPassword"],
    ["update todo", () => ({ title: "a\u0000b" }), "/title"],
    // Lone surrogates: not valid Unicode, cannot round-trip through UTF-8.
    ["register", () => register({ email: "x\ud800@example.com" }), "/email"],
    ["register", () => register({ name: "Ada \udfff" }), "/name"],
    ["login", () => login({ password: "\ud800violet-kettle" }), "/password"],
    ["password", () => change({ currentPassword: "\udbff" }), "/currentPassword"],
    ["update todo", () => ({ title: "half an emoji \ud83d" }), "/title"],
    // Wrong types.
    ["register", () => register({ email: 42 }), "/email"],
    ["register", () => register({ email: ["a@example.com"] }), "/email"],
    ["register", () => register({ email: { $gt: "" } }), "/email"],
    ["register", () => register({ password: true }), "/password"],
    ["register", () => register({ name: 7 }), "/name"],
    ["login", () => login({ email: { $ne: null } }), "/email"],
    ["login", () => login({ password: null }), "/password"],
    ["login", () => login({ password: 12345678 }), "/password"],
    ["password", () => change({ newPassword: ["a", "b"] }), "/newPassword"],
    ["create todo", () => ({ title: { toString: "x" } }), "/title"],
    ["update todo", () => ({ completed: "true" }), "/completed"],
    ["update todo", () => ({ completed: 1 }), "/completed"],
    ["register", () => null, ""],
    ["login", () => 42, ""],
    ["password", () => "a string", ""],
    ["update todo", () => [{ completed: true }], ""],
  ] as [string, () => unknown, string][])("%s: %j → 422 naming %s", async (name, body, pointer) => {
    const before = await rowCounts();
    const response = await sendJson(name, body());
    expect(pointersOf(await expectProblem(response, 422))).toContain(pointer);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it("duplicate keys: validation and storage see the same (last) value", async () => {
    const refused = await rawPost(
      alice.client,
      "POST",
      "/api/todos",
      '{"title":"fine","title":"a\\u0000b"}',
    );
    await expectProblem(refused, 422);
    const stored = await rawPost(
      alice.client,
      "POST",
      "/api/todos",
      '{"title":"a\\u0000b","title":"fine"}',
    );
    expect(stored.status).toBe(201);
    expect(((await stored.json()) as { todo: { title: string } }).todo.title).toBe("fine");
  });
});

describe("WSTG-INPV edge-case ids", () => {
  it.each([
    ["the max UUID", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
    ["the nil UUID", "00000000-0000-0000-0000-000000000000"],
    ["a real id with a trailing newline", () => `${todoId}%0A`],
    ["a real id with a trailing space", () => `${todoId}%20`],
    ["a real id in braces", () => `%7B${todoId}%7D`],
    ["a real id without dashes", () => todoId.replace(/-/g, "")],
    ["non-hex characters", "gggggggg-gggg-gggg-gggg-gggggggggggg"],
    ["-1", "-1"],
    ["1e309", "1e309"],
    ["NaN", "NaN"],
    ["null", "null"],
    ["a NUL byte", "%00"],
    ["Arabic-Indic digits", encodeURIComponent("٠٠٠٠٠٠٠٠-٠٠٠٠-٤٠٠٠-٨٠٠٠-٠٠٠٠٠٠٠٠٠٠٠٠")],
    ["SQL", encodeURIComponent("' OR '1'='1")],
    ["10 000 characters", "f".repeat(10_000)],
  ] as [string, string | (() => string)][])(
    "%s is a plain 404 on every :id route",
    async (_what, raw) => {
      const id = typeof raw === "function" ? raw() : raw;
      const before = await rowCounts();
      await expectProblem(await alice.client.patch(`/api/todos/${id}`, { completed: true }), 404);
      await expectProblem(await alice.client.delete(`/api/todos/${id}`), 404);
      await expectProblem(await alice.client.delete(`/api/auth/sessions/${id}`), 404);
      expect(await rowCounts()).toEqual(before);
      expect((await alice.client.get("/api/auth/session")).status).toBe(200);
    },
  );
});

describe("WSTG-INPV-05 SQL injection", () => {
  it.each([
    "'; DROP TABLE todos; --",
    '" OR "1"="1',
    "1); DELETE FROM users; --",
    "$1 $2 ::text",
    "\\'; SELECT pg_sleep(5); --",
  ])("%s is stored and returned verbatim, as data", async (payload) => {
    const before = await rowCounts();
    const created = await alice.client.post("/api/todos", { title: payload });
    expect(created.status).toBe(201);
    const { todo } = (await created.json()) as { todo: { id: string; title: string } };
    expect(todo.title).toBe(payload);
    const [row] = await t.database.db.select().from(todos).where(eq(todos.id, todo.id));
    expect(row!.title).toBe(payload);
    const login = await t.client().post("/api/auth/login", {
      email: `a${payload}@example.com`.replace(/\s/g, ""),
      password: payload,
    });
    expect([401, 422]).toContain(login.status);
    const after = await rowCounts();
    expect(after.users).toBe(before.users);
    expect(after.todos.length).toBe(before.todos.length + 1);
    await alice.client.delete(`/api/todos/${todo.id}`);
  });

  it("an email with a quote is a valid address and stays one account", async () => {
    const email = `o'brien.${Date.now()}@example.com`;
    const response = await t.client().post("/api/auth/register", {
      email,
      password: STRONG_PASSWORD,
      name: "Robert'); DROP TABLE users;--",
    });
    expect(response.status).toBe(201);
    const { user } = (await response.json()) as { user: { email: string; name: string } };
    expect(user).toMatchObject({ email, name: "Robert'); DROP TABLE users;--" });
    expect(
      (await t.client().post("/api/auth/login", { email, password: STRONG_PASSWORD })).status,
    ).toBe(200);
  });
});

describe("WSTG-INPV-01 / INPV-02 reflected and stored markup", () => {
  it("markup in a title comes back as JSON data only, never as HTML", async () => {
    const title = `<script>alert(document.cookie)</script><img src=x onerror=alert(1)>`;
    const created = await alice.client.post("/api/todos", { title });
    expect(created.status).toBe(201);
    const list = await alice.client.get("/api/todos");
    expect(list.headers.get("content-type")).toMatch(/^application\/json/);
    expect(list.headers.get("x-content-type-options")).toBe("nosniff");
    const { todos: rows } = (await list.json()) as { todos: { title: string }[] };
    expect(rows.map((row) => row.title)).toContain(title);
  });

  it("markup in a path is reflected only inside problem+json with nosniff", async () => {
    const response = await t.client().get("/api/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    await expectProblem(response, 404);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("WSTG-INPV-03 HTTP verb tampering", () => {
  it.each([
    ["FOO", "/api/todos"],
    ["PROPFIND", "/api/todos"],
    ["patch", `/api/todos/:id`],
    ["PUT", `/api/todos/:id`],
    ["PUT", "/api/auth/password"],
  ])("%s %s is a 405 problem and changes nothing", async (method, template) => {
    const before = await rowCounts();
    const response = await alice.client.request(method, template.replace(":id", todoId), {
      json: { title: "tampered", completed: true },
    });
    await expectProblem(response, 405);
    expect(response.headers.get("allow")).toBeTruthy();
    expect(await rowCounts()).toEqual(before);
  });
});

describe("WSTG-INPV odd encodings and headers", () => {
  it.each([
    ["a UTF-8 byte-order mark", new TextEncoder().encode('\ufeff{"title":"bom"}')],
    [
      "invalid UTF-8 bytes",
      new Uint8Array([
        0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d,
      ]),
    ],
    ["UTF-16LE bytes", new Uint8Array(Buffer.from('{"title":"utf16"}', "utf16le"))],
    [
      "an overlong UTF-8 slash",
      new Uint8Array([
        0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d,
      ]),
    ],
  ] as [string, Uint8Array][])(
    "%s: never a 5xx, and whatever is stored is well-formed",
    async (_what, bytes) => {
      const response = await rawPost(alice.client, "POST", "/api/todos", bytes);
      expect(response.status).toBeLessThan(500);
      if (response.status >= 400) await expectProblem(response, response.status);
      const rows = await t.database.db.select().from(todos).where(eq(todos.userId, alice.user.id));
      for (const row of rows)
        expect(row.title.isWellFormed() && !row.title.includes("\u0000")).toBe(true);
    },
  );

  it("a 10 000-character User-Agent is stored truncated and shown as a device", async () => {
    const userAgent = `Mozilla/5.0 ${"A".repeat(10_000)}`;
    const signedIn = await t.signUp({ userAgent });
    const response = await signedIn.client.get("/api/auth/sessions");
    expect(response.status).toBe(200);
    const [row] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, signedIn.user.id));
    expect(row!.userAgent!.length).toBeLessThanOrEqual(512);
  });
});

// ------------------------------------------------------------------------------------------
// Property-based fuzzing (fast-check) of every JSON endpoint: register, login, password
// change, to-do create and update. Generated bodies mix valid shapes, arbitrary JSON, hostile
// strings (NUL, lone surrogates, bidi overrides, NFKC bombs, huge lengths), wrong types,
// server-owned extra keys, broken JSON and wrong content types. Per request: never a 5xx (the
// harness rethrows unexpected errors, so a 500 fails the run), every 4xx is problem+json,
// every 2xx has the documented shape. Afterwards the database must agree exactly with what
// the API acknowledged.
// ------------------------------------------------------------------------------------------

let owner: SignedIn;
let stranger: SignedIn;
let carol: SignedIn & { current: string };
let strangerTodoId: string;
let strangerTodosBefore: unknown[];
let otherTodosBefore: unknown[];

/** What the API acknowledged, to compare with the database afterwards. */
const acknowledged = {
  registeredEmails: new Set<string>(),
  signIns: 0,
  ownerTodos: new Map<string, { title: string; completed: boolean }>(),
};
/** Answers per endpoint and status: the fuzzing must reach the success paths, not only 4xx. */
const seen = new Map<string, number>();
const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
let usersBefore = 0;
let sessionsBefore = 0;

async function setUpFuzzing() {
  [owner, stranger] = [await t.signUp(), await t.signUp()];
  const carolSignedIn = await t.signUp();
  carol = { ...carolSignedIn, current: carolSignedIn.password };
  for (const title of ["one", "two"]) {
    const response = await owner.client.post("/api/todos", { title });
    const { todo } = (await response.json()) as { todo: TodoBody };
    acknowledged.ownerTodos.set(todo.id, { title: todo.title, completed: todo.completed });
  }
  const response = await stranger.client.post("/api/todos", { title: "stranger's" });
  strangerTodoId = ((await response.json()) as { todo: TodoBody }).todo.id;
  const db = t.database.db;
  strangerTodosBefore = await db.select().from(todos).where(eq(todos.userId, stranger.user.id));
  otherTodosBefore = await db.select().from(todos).where(ne(todos.userId, owner.user.id));
  usersBefore = (await db.select({ id: users.id }).from(users)).length;
  sessionsBefore = (await db.select({ id: sessions.id }).from(sessions)).length;
}

type TodoBody = {
  id: string;
  title: string;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
};

// ------------------------------------------------------------------------------------------
// Arbitraries
// ------------------------------------------------------------------------------------------

const SPECIALS = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\ud83d",
  "\u202e",
  "\ufeff",
  "\u200b",
  "\uFDFA".repeat(50),
  "'; DROP TABLE users; --",
  "<script>alert(1)</script>",
  "%00",
  "\r\n",
  "   ",
  "x".repeat(501),
  "x".repeat(4097),
  "é".repeat(300),
  "a".repeat(BODY_LIMIT + 1), // past the body limit: 413
];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom(...SPECIALS),
        fc.string({ maxLength: 10 }),
      )
      .map(([a, b, c]) => `${a}${b}${c}`),
  },
);

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Mostly the valid kind, sometimes hostile, of the wrong type, or absent. */
const field = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 12, arbitrary: valid },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const extraKeys = fc.dictionary(
  fc.oneof(
    fc.constantFrom("role", "userId", "id", "createdAt", "isAdmin", "__proto__", "constructor"),
    fc.string({ maxLength: 8 }),
  ),
  fc.jsonValue({ maxDepth: 2 }),
  { minKeys: 1, maxKeys: 2 },
);

/** A body of the endpoint's shape (sometimes with extra keys), or any JSON at all. */
function bodyOf(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const shaped = fc
    .tuple(
      fc.record(fields),
      fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: extraKeys }),
    )
    .map(([body, extra]) => (extra ? { ...body, ...extra } : body));
  return fc.oneof(
    { weight: 8, arbitrary: shaped },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

type Wire =
  { kind: "json" } | { kind: "raw"; text: string } | { kind: "type"; contentType: string };
/** How the body goes on the wire: JSON mostly, sometimes broken text or a wrong media type. */
const wire: fc.Arbitrary<Wire> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Wire>({ kind: "json" }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom("{", '{"a":', "[1,]", "nul", "\u0000", '{"x":1}}'),
      )
      .map((text): Wire => ({ kind: "raw", text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
        "text/json",
        "",
      )
      .map((contentType): Wire => ({ kind: "type", contentType })),
  },
);

const validEmail = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,14}$/),
        fc.constantFrom("example.com", "example.test", "mail.example.org"),
      )
      .map(([local, domain]) => `${local}@${domain}`),
  },
  fc.emailAddress(),
  fc.emailAddress().map((email) => `  ${email.toUpperCase()} `),
);
const strongPassword = fc.oneof(
  fc.constantFrom(STRONG_PASSWORD, OTHER_STRONG_PASSWORD, "copper-meadow-lantern-58"),
  fc.string({ unit: "grapheme-ascii", minLength: 16, maxLength: 32 }),
);

// ------------------------------------------------------------------------------------------
// One request and the per-request invariants
// ------------------------------------------------------------------------------------------

async function fuzzSend(
  client: TestClient,
  method: string,
  path: string,
  body: unknown,
  how: Wire,
) {
  const headers: Record<string, string> = {};
  if (client.cookies.size > 0) headers.Cookie = cookieHeader([...client.cookies]);
  let payload: string;
  if (how.kind === "raw") {
    payload = how.text;
    headers["Content-Type"] = "application/json";
  } else {
    payload = JSON.stringify(body) ?? "null";
    if (how.kind === "type") {
      if (how.contentType) headers["Content-Type"] = how.contentType;
    } else {
      headers["Content-Type"] = "application/json";
    }
  }
  let response: Response;
  try {
    response = await t.app.fetch(
      new Request(`http://localhost${path}`, { method, headers, body: payload }),
    );
  } catch (error) {
    // The harness's error logger rethrows: this is what a 500 looks like in-process.
    throw new Error(`unexpected server error (a 5xx) for ${method} ${path}: ${String(error)}`, {
      cause: error,
    });
  }
  expect(response.status, `${method} ${path}`).toBeLessThan(500);
  count(`${method} ${path.startsWith("/api/todos/") ? "/api/todos/:id" : path} ${response.status}`);
  if (response.status >= 400) {
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { status: number; title: unknown; type: unknown };
    expect(problem.status).toBe(response.status);
    expect(typeof problem.title).toBe("string");
    expect(typeof problem.type).toBe("string");
    return { status: response.status, json: undefined };
  }
  if (response.status === 204) return { status: 204, json: undefined };
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const run = <Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncProperty<Ts>,
  numRuns: number,
) => fc.assert(property, { numRuns, endOnFailure: true });

// ------------------------------------------------------------------------------------------

describe("WSTG-INPV fuzzing every JSON endpoint (fast-check)", () => {
  beforeAll(setUpFuzzing);

  it("POST /api/todos", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(
        bodyOf({ title: field(fc.string({ minLength: 1, maxLength: 60 })) }),
        wire,
        async (body, how) => {
          const { status, json } = await fuzzSend(owner.client, "POST", "/api/todos", body, how);
          expect([201, 400, 413, 415, 422]).toContain(status);
          if (status === 201) {
            const todo = (json as { todo: TodoBody }).todo;
            expect(todo.title).toBe((body as { title: string }).title.trim());
            expect(todo.completed).toBe(false);
            acknowledged.ownerTodos.set(todo.id, { title: todo.title, completed: todo.completed });
          }
        },
      ),
      1000,
    );
  });

  it("PATCH /api/todos/:id", { timeout: 60_000 }, async () => {
    const ids = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...acknowledged.ownerTodos.keys()) },
      { weight: 2, arbitrary: fc.constant(strangerTodoId) },
      { weight: 1, arbitrary: fc.constant(NOBODYS_ID) },
      {
        weight: 1,
        arbitrary: hostileString.map(
          (s) => encodeURIComponent(s.slice(0, 200).toWellFormed()) || "x",
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom("%", "%zz", "%00", "..", "%2e%2e%2f", "%C0%AF", "%ED%A0%80"),
      },
    );
    const patchBody = bodyOf({
      title: field(fc.string({ minLength: 1, maxLength: 60 })),
      completed: field(fc.boolean()),
    });
    await run(
      fc.asyncProperty(fc.tuple(ids, patchBody), wire, async ([id, body], how) => {
        const { status, json } = await fuzzSend(
          owner.client,
          "PATCH",
          `/api/todos/${id}`,
          body,
          how,
        );
        expect([200, 400, 404, 413, 415, 422]).toContain(status);
        if (status === 200) {
          const todo = (json as { todo: TodoBody }).todo;
          expect(acknowledged.ownerTodos.has(todo.id)).toBe(true);
          expect(todo.id).toBe(id);
          acknowledged.ownerTodos.set(todo.id, { title: todo.title, completed: todo.completed });
        }
        if (id === strangerTodoId) expect(status).not.toBe(200);
      }),
      1000,
    );
  });

  it("POST /api/auth/register", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(
        bodyOf({
          email: field(validEmail),
          password: field(strongPassword),
          name: field(fc.option(fc.string({ maxLength: 120 }))),
        }),
        wire,
        async (body, how) => {
          const { status, json } = await fuzzSend(
            t.client(),
            "POST",
            "/api/auth/register",
            body,
            how,
          );
          expect([201, 400, 409, 413, 415, 422]).toContain(status);
          if (status === 201) {
            const user = (json as { user: { email: string; role: string } }).user;
            expect(user.email).toBe((body as { email: string }).email.trim().toLowerCase());
            expect(user.role).toBe("user");
            expect(acknowledged.registeredEmails.has(user.email)).toBe(false);
            acknowledged.registeredEmails.add(user.email);
          }
        },
      ),
      50,
    );
  });

  it("POST /api/auth/login", { timeout: 60_000 }, async () => {
    // Whole credential pairs, so that the success path is reached often enough…
    const credentials = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .constantFrom(owner.email, owner.email.toUpperCase(), ` ${owner.email} `)
          .map((email) => ({ email, password: owner.password })),
      },
      {
        weight: 1,
        arbitrary: fc.constant({ email: stranger.email, password: "wrong-password-1" }),
      },
      { weight: 2, arbitrary: fc.record({ email: validEmail, password: strongPassword }) },
    );
    // …and field-by-field mutations of them.
    const mutated = bodyOf({
      email: field(fc.constantFrom(owner.email, stranger.email)),
      password: field(fc.constantFrom(owner.password, "wrong-password-1")),
    });
    await run(
      fc.asyncProperty(fc.oneof(credentials, mutated), wire, async (body, how) => {
        const { status, json } = await fuzzSend(t.client(), "POST", "/api/auth/login", body, how);
        expect([200, 400, 401, 413, 415, 422, 429]).toContain(status);
        if (status === 200) {
          const user = (json as { user: { email: string } }).user;
          expect(user.email).toBe((body as { email: string }).email.trim().toLowerCase());
          acknowledged.signIns += 1;
        }
      }),
      80,
    );
  });

  it("POST /api/auth/password", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 19 }).chain((dice) =>
          bodyOf({
            currentPassword: field(
              dice < 17 ? fc.constant(carol.current) : fc.string({ maxLength: 20 }),
            ),
            newPassword: field(strongPassword),
          }),
        ),
        wire,
        async (body, how) => {
          const sent = body as { currentPassword?: unknown; newPassword?: unknown };
          const { status } = await fuzzSend(carol.client, "POST", "/api/auth/password", body, how);
          expect([204, 400, 413, 415, 422, 429]).toContain(status);
          if (status === 204) carol.current = sent.newPassword as string;
        },
      ),
      25,
    );
  });

  it("afterwards the database agrees exactly with what the API acknowledged", async () => {
    const stats = JSON.stringify(Object.fromEntries([...seen].sort()));
    for (const success of [
      "POST /api/todos 201",
      "PATCH /api/todos/:id 200",
      "PATCH /api/todos/:id 404",
      "POST /api/auth/register 201",
      "POST /api/auth/login 200",
      "POST /api/auth/password 204",
    ]) {
      expect(
        seen.get(success) ?? 0,
        `the fuzzing never reached ${success}: ${stats}`,
      ).toBeGreaterThan(0);
    }
    const db = t.database.db;
    // Alice's to-dos: exactly the acknowledged ones, in their acknowledged state.
    const ownerRows = await db.select().from(todos).where(eq(todos.userId, owner.user.id));
    expect(
      new Map(ownerRows.map((row) => [row.id, { title: row.title, completed: row.completed }])),
    ).toEqual(acknowledged.ownerTodos);
    // The stranger's, and everybody else's, were never touched.
    expect(await db.select().from(todos).where(eq(todos.userId, stranger.user.id))).toEqual(
      strangerTodosBefore,
    );
    const others = await db.select().from(todos).where(ne(todos.userId, owner.user.id));
    expect(others).toEqual(otherTodosBefore);
    for (const row of [...ownerRows, ...others]) {
      expect(row.title.length).toBeGreaterThan(0);
      expect(row.title.length).toBeLessThanOrEqual(500);
      expect(row.title).toBe(row.title.trim());
      expect(row.title.isWellFormed() && !row.title.includes("\u0000")).toBe(true);
    }
    // Users: one row per acknowledged sign-up, all with sane, normalised emails.
    const userRows = await db.select().from(users);
    expect(userRows).toHaveLength(usersBefore + acknowledged.registeredEmails.size);
    const emails = new Set(userRows.map((row) => row.email));
    for (const email of acknowledged.registeredEmails) expect(emails.has(email)).toBe(true);
    for (const row of userRows) {
      expect(row.email).toBe(row.email.trim().toLowerCase());
      expect(row.email.length).toBeLessThanOrEqual(254);
      expect(row.email).toMatch(/^[^@\s]+@[^@\s]+$/);
      expect(row.email.isWellFormed() && !row.email.includes("\u0000")).toBe(true);
      if (row.name !== null) {
        expect(row.name.length).toBeLessThanOrEqual(100);
        expect(row.name.isWellFormed() && !row.name.includes("\u0000")).toBe(true);
      }
      expect(row.role).toBe("user");
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    }
    // Sessions: one per acknowledged sign-up and sign-in, none more.
    const sessionRows = await db.select({ id: sessions.id }).from(sessions);
    expect(sessionRows).toHaveLength(
      sessionsBefore + acknowledged.registeredEmails.size + acknowledged.signIns,
    );
    // Carol's password is the last one the API acknowledged, and her session survived.
    const [carolRow] = await db.select().from(users).where(eq(users.id, carol.user.id));
    expect(
      await t.auth.internals.hasher.verify(carolRow!.passwordHash, carol.current.normalize("NFKC")),
    ).toBe(true);
    for (const who of [owner, carol]) {
      expect((await who.client.get("/api/auth/session")).status).toBe(200);
    }
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });
});
