/**
 * WSTG-SESS: session tokens, cookie attributes and planted cookies, fixation, exposed
 * tokens, CSRF, logout and JSON Web Tokens. Complements cookies.test.ts, jwt-attacks.test.ts,
 * revocation.test.ts and session-rotation.test.ts with variants those do not try.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import {
  EncryptJWT,
  SignJWT,
  base64url,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTHeaderParameters,
} from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sessions, users } from "@hybrid-auth/auth/schema";
import { todos } from "../../todos/schema.js";
import {
  createTestApp,
  STRONG_PASSWORD,
  TEST_SECRET,
  testAuthConfig,
  uniqueEmail,
  type TestApp,
} from "../../testing/test-app.js";
import {
  OTHER_STRONG_PASSWORD,
  clearsAuthCookies,
  clientOf,
  cookieHeader,
  expectProblem,
  type SignedIn,
  type Sibling,
} from "./helpers.js";

let t: TestApp;
/** A second process of the same database with production cookies (`__Host-`, Secure). */
let secure: Sibling;
let alice: SignedIn;
let aliceTodoId: string;

beforeAll(async () => {
  t = await createTestApp();
  secure = await t.sibling({
    config: { auth: testAuthConfig({ secureCookies: true }), bodyLimitBytes: 64 * 1024 },
  });
  alice = await t.signUp();
  const created = await alice.client.post("/api/todos", { title: "alice's" });
  aliceTodoId = ((await created.json()) as { todo: { id: string } }).todo.id;
});
afterAll(async () => {
  await secure.auth.close();
  await t.dispose();
});

/** Signs up on the production-cookie process. */
async function secureSignUp() {
  const client = clientOf(secure);
  const email = uniqueEmail("secure");
  const response = await client.post("/api/auth/register", { email, password: STRONG_PASSWORD });
  expect(response.status).toBe(201);
  const { user } = (await response.json()) as { user: { id: string } };
  return {
    client,
    user,
    access: client.cookies.get("__Host-auth_access")!,
    session: client.cookies.get("__Host-auth_session")!,
  };
}

async function whoIs(response: Response): Promise<string | undefined> {
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { session: { userId: string } }).session.userId;
}

/** A fresh device of a user that must authenticate through the database (no access token). */
function sessionOnly(signedIn: SignedIn) {
  const device = signedIn.client.fork();
  device.cookies.delete("auth_access");
  return device;
}

describe("WSTG-SESS-01 / WSTG-SESS-09 session tokens", () => {
  it("only the SHA-256 of a session token is stored: the stored value replayed as a cookie is refused", async () => {
    const [row] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, alice.user.id));
    const token = alice.client.cookies.get("auth_session")!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(row!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);
    const replay = await t.client().get("/api/auth/session", {
      Cookie: cookieHeader([["auth_session", row!.tokenHash]]),
    });
    await expectProblem(replay, 401);
  });

  it("a malformed session cookie costs no database query; an unknown well-formed one no write", async () => {
    for (const value of ["x", "A".repeat(44), "!".repeat(43), "A".repeat(100_000)]) {
      t.queries.reset();
      const response = await t.client().get("/api/auth/session", {
        Cookie: cookieHeader([["auth_session", value]]),
      });
      await expectProblem(response, 401);
      expect(t.queries.count).toBe(0);
    }
    t.queries.reset();
    const unknown = await t.client().get("/api/auth/session", {
      Cookie: cookieHeader([["auth_session", randomBytes(32).toString("base64url")]]),
    });
    await expectProblem(unknown, 401);
    expect(clearsAuthCookies(unknown)).toBe(true);
    // The conditional touch matched nothing; the rotated-out lookup is a select.
    expect(t.queries.statements.filter((sql) => /^(insert|delete)/i.test(sql))).toEqual([]);
  });
});

describe("WSTG-SESS-02 cookie attributes and planted cookies", () => {
  let victim: Awaited<ReturnType<typeof secureSignUp>>;
  beforeAll(async () => {
    victim = await secureSignUp();
  });

  it.each([
    ["__host-auth_session", "session"],
    ["__HOST-auth_session", "session"],
    ["__Host-AUTH_SESSION", "session"],
    ["__Secure-auth_session", "session"],
    ["__host-auth_access", "access"],
  ] as const)("a secure deployment ignores the case/prefix variant %s", async (name, which) => {
    const value = which === "session" ? victim.session : victim.access;
    const response = await clientOf(secure).get("/api/auth/session", {
      Cookie: cookieHeader([[name, value]]),
    });
    await expectProblem(response, 401);
  });

  it("cookie tossing: unprefixed attacker cookies sent first do not displace the __Host- ones", async () => {
    const attacker = await secureSignUp();
    const tossed = cookieHeader([
      ["auth_access", attacker.access],
      ["auth_session", attacker.session],
      ["__Host-auth_access", victim.access],
      ["__Host-auth_session", victim.session],
    ]);
    const response = await clientOf(secure).get("/api/auth/session", { Cookie: tossed });
    expect(await whoIs(response)).toBe(victim.user.id);
    // …and with the victim's access token gone, the reissue uses the victim's session too.
    const reissued = await clientOf(secure).get("/api/auth/session", {
      Cookie: cookieHeader([
        ["auth_session", attacker.session],
        ["__Host-auth_session", victim.session],
      ]),
    });
    expect(await whoIs(reissued)).toBe(victim.user.id);
  });

  it("duplicate names: only the first value is read, never a later one or a mix", async () => {
    const access = alice.client.cookies.get("auth_access")!;
    const first = await t.client().get("/api/auth/session", {
      Cookie: cookieHeader([
        ["auth_access", access],
        ["auth_access", "garbage"],
      ]),
    });
    expect(await whoIs(first)).toBe(alice.user.id);
    const second = await t.client().get("/api/auth/session", {
      Cookie: cookieHeader([
        ["auth_access", "garbage"],
        ["auth_access", access],
      ]),
    });
    await expectProblem(second, 401);
  });

  it.each([
    ["an 8 KB access cookie alone", () => [["auth_access", "e".repeat(8 * 1024)]], 401],
    [
      "an 8 KB access cookie next to a valid session (falls back to it)",
      () => [
        ["auth_access", "e".repeat(8 * 1024)],
        ["auth_session", alice.client.cookies.get("auth_session")!],
      ],
      200,
    ],
    ["a 100 KB session cookie", () => [["auth_session", "A".repeat(100 * 1024)]], 401],
    [
      "256 KB of junk cookies ahead of a valid access cookie",
      () => [
        ...Array.from({ length: 256 }, (_, i): [string, string] => [`junk${i}`, "j".repeat(1000)]),
        ["auth_access", alice.client.cookies.get("auth_access")!],
      ],
      200,
    ],
  ] as [string, () => [string, string][], number][])(
    "oversized cookies: %s → %i, no 5xx",
    async (_what, pairs, status) => {
      const response = await t.client().get("/api/auth/session", { Cookie: cookieHeader(pairs()) });
      expect(response.status).toBe(status);
      if (status === 401) expect(clearsAuthCookies(response)).toBe(true);
    },
  );
});

describe("WSTG-SESS-03 session fixation", () => {
  it("a planted session value is never adopted: sign-in issues a fresh one", async () => {
    const { email, password } = await t.signUp();
    const planted = randomBytes(32).toString("base64url");
    const browser = t.client();
    browser.cookies.set("auth_session", planted);
    const response = await browser.post("/api/auth/login", { email, password });
    expect(response.status).toBe(200);
    const issued = browser.cookies.get("auth_session")!;
    expect(issued).not.toBe(planted);
    const [row] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.tokenHash, createHash("sha256").update(planted).digest("hex")));
    expect(row).toBeUndefined();
    await expectProblem(
      await t.client().get("/api/auth/session", {
        Cookie: cookieHeader([["auth_session", planted]]),
      }),
      401,
    );
  });

  it("an attacker's own valid session planted in the victim's browser is replaced and revoked on sign-in", async () => {
    const attacker = await t.signUp();
    const victim = await t.signUp();
    const browser = attacker.client.fork(); // the victim's browser, carrying the attacker's cookies
    const response = await browser.post("/api/auth/login", {
      email: victim.email,
      password: victim.password,
    });
    expect(response.status).toBe(200);
    expect(await whoIs(await browser.get("/api/auth/session"))).toBe(victim.user.id);
    expect(browser.cookies.get("auth_session")).not.toBe(
      attacker.client.cookies.get("auth_session"),
    );
    // What the victim types next cannot land in the attacker's account: that session is gone.
    await expectProblem(await sessionOnly(attacker).get("/api/todos"), 401);
  });
});

describe("WSTG-SESS-04 exposed session variables", () => {
  it("no response body, listing or URL carries a token or its hash", async () => {
    const client = t.client();
    const email = uniqueEmail();
    const bodies: string[] = [];
    const register = await client.post("/api/auth/register", { email, password: STRONG_PASSWORD });
    bodies.push(await register.text());
    const login = await client.post("/api/auth/login", { email, password: STRONG_PASSWORD });
    bodies.push(await login.text());
    for (const path of [
      "/api/auth/me",
      "/api/auth/session",
      "/api/auth/sessions",
      "/api/auth/activity",
    ]) {
      const response = await client.get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("location")).toBeNull();
      bodies.push(await response.text());
    }
    const access = client.cookies.get("auth_access")!;
    const session = client.cookies.get("auth_session")!;
    const secrets = [
      access,
      access.split(".")[2]!,
      session,
      createHash("sha256").update(session).digest("hex"),
    ];
    for (const body of bodies) {
      for (const secret of secrets) expect(body).not.toContain(secret);
      expect(body).not.toMatch(/eyJ|tokenHash|token_hash|passwordHash|\$argon2/);
    }
  });
});

/** Everything a cross-site request could change, to compare before and after. */
async function snapshot() {
  const db = t.database.db;
  const [userRows, sessionRows, todoRows] = await Promise.all([
    db.select({ id: users.id, hash: users.passwordHash, role: users.role }).from(users),
    db.select({ id: sessions.id, revokedAt: sessions.revokedAt }).from(sessions),
    db.select().from(todos),
  ]);
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    users: userRows.sort(byId),
    sessions: sessionRows.sort(byId),
    todos: todoRows.sort(byId),
  };
}

describe("WSTG-SESS-05 cross-site request forgery", () => {
  /** Alice's second device: the target of logout-others and of DELETE /sessions/:id. */
  let otherSessionId: string;
  beforeAll(async () => {
    const device = t.client();
    await device.post("/api/auth/login", { email: alice.email, password: alice.password });
    const response = await device.get("/api/auth/session");
    otherSessionId = ((await response.json()) as { session: { sessionId: string } }).session
      .sessionId;
  });

  it.each([
    ["a foreign Origin", { Origin: "https://evil.example" }],
    ["Origin: null (sandboxed frame, data: URL)", { Origin: "null" }],
    ["a look-alike host", { Origin: "http://localhost.evil.example" }],
    ["the same host on another port", { Origin: "http://localhost:8080" }],
    ["the same host over another scheme", { Origin: "https://localhost" }],
    ["a userinfo trick", { Origin: "http://localhost@evil.example" }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    [
      "Sec-Fetch-Site: same-site (a sibling subdomain)",
      { "Sec-Fetch-Site": "same-site", Origin: "http://app.localhost" },
    ],
    [
      "Sec-Fetch-Site: cross-site with a matching Origin",
      { "Sec-Fetch-Site": "cross-site", Origin: "http://localhost" },
    ],
  ])("refuses a state change from %s with 403", async (_what, headers) => {
    const before = await snapshot();
    const response = await alice.client.request("POST", "/api/todos", {
      json: { title: "forged" },
      headers,
    });
    await expectProblem(response, 403);
    expect(await snapshot()).toEqual(before);
  });

  const crossSite = { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" };
  it.each([
    [
      "POST",
      "/api/auth/register",
      () => ({ email: uniqueEmail("csrf"), password: STRONG_PASSWORD }),
    ],
    ["POST", "/api/auth/login", () => ({ email: alice.email, password: alice.password })],
    ["POST", "/api/auth/logout", () => undefined],
    ["POST", "/api/auth/logout-all", () => undefined],
    ["POST", "/api/auth/logout-others", () => undefined],
    [
      "POST",
      "/api/auth/password",
      () => ({ currentPassword: alice.password, newPassword: OTHER_STRONG_PASSWORD }),
    ],
    ["DELETE", "/api/auth/sessions/:other", () => undefined],
    ["PATCH", "/api/todos/:todo", () => ({ completed: true, title: "pwned" })],
    ["DELETE", "/api/todos/:todo", () => undefined],
  ] as [string, string, () => unknown][])(
    "a cross-site %s %s changes nothing (403)",
    async (method, template, body) => {
      const path = template.replace(":other", otherSessionId).replace(":todo", aliceTodoId);
      const before = await snapshot();
      const json = body();
      const response = await alice.client.request(method, path, {
        ...(json === undefined ? {} : { json }),
        headers: crossSite,
      });
      await expectProblem(response, 403);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await snapshot()).toEqual(before);
    },
  );

  it("same-origin requests pass: matching Origin, Sec-Fetch-Site same-origin or none, or neither header", async () => {
    const sameOrigin: Record<string, string>[] = [
      { Origin: "http://localhost" },
      { "Sec-Fetch-Site": "same-origin", Origin: "http://localhost" },
      { "Sec-Fetch-Site": "none" },
      {},
    ];
    for (const headers of sameOrigin) {
      const response = await alice.client.request("POST", "/api/todos", {
        json: { title: "legit" },
        headers,
      });
      expect(response.status).toBe(201);
    }
  });

  it("an HTML form (no Origin, as old browsers send it) cannot sign in: 415, no cookies", async () => {
    for (const [contentType, body] of [
      [
        "application/x-www-form-urlencoded",
        `email=${encodeURIComponent(alice.email)}&password=${alice.password}`,
      ],
      ["text/plain", JSON.stringify({ email: alice.email, password: alice.password })],
      [
        "multipart/form-data; boundary=x",
        `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${alice.email}\r\n--x--`,
      ],
    ]) {
      const response = await t.client().request("POST", "/api/auth/login", {
        body,
        headers: { "Content-Type": contentType! },
      });
      await expectProblem(response, 415);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it.each([
    ["GET", "/api/auth/logout", {}],
    ["GET", "/api/auth/logout-all?_method=POST", {}],
    ["HEAD", "/api/auth/logout-others", {}],
    ["GET", "/api/auth/sessions/:other", { "X-HTTP-Method-Override": "DELETE" }],
    ["POST", "/api/todos/:todo", { "X-HTTP-Method-Override": "DELETE" }],
    ["POST", "/api/todos/:todo", { "X-Method-Override": "DELETE" }],
    ["POST", "/api/todos/:todo?_method=DELETE", {}],
    ["GET", "/api/todos/:todo?_method=DELETE", {}],
  ] as [string, string, Record<string, string>][])(
    "no state change through %s %s %j (method override)",
    async (method, template, headers) => {
      const path = template.replace(":other", otherSessionId).replace(":todo", aliceTodoId);
      const before = await snapshot();
      const response = await alice.client.request(method, path, { headers });
      expect([404, 405]).toContain(response.status);
      expect(await snapshot()).toEqual(before);
    },
  );
});

describe("WSTG-SESS-06 logout", () => {
  it("logout with the session cookie alone revokes the server-side session", async () => {
    const user = await t.signUp();
    const copy = sessionOnly(user);
    const tab = sessionOnly(user);
    expect((await tab.post("/api/auth/logout")).status).toBe(204);
    await expectProblem(await copy.get("/api/todos"), 401);
  });

  it("logout with the access cookie alone revokes it too: a thief's copy of the session cookie dies", async () => {
    const user = await t.signUp();
    const thief = sessionOnly(user);
    const tab = user.client.fork();
    tab.cookies.delete("auth_session");
    expect((await tab.post("/api/auth/logout")).status).toBe(204);
    await expectProblem(await thief.get("/api/todos"), 401);
  });
});

// ---------------------------------------------------------------------------------------
// WSTG-SESS-10: JSON Web Tokens
// ---------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
let genuine: string;
let header: Json;
let payload: Json;

beforeAll(() => {
  genuine = alice.client.cookies.get("auth_access")!;
  const [h, p] = genuine.split(".");
  header = JSON.parse(new TextDecoder().decode(base64url.decode(h!))) as Json;
  payload = JSON.parse(new TextDecoder().decode(base64url.decode(p!))) as Json;
});

const segment = (value: unknown) => base64url.encode(JSON.stringify(value));

/** HS256 over the exact segment text given, with any key: forges headers jose refuses to sign. */
function hmacToken(
  headerSegment: string,
  payloadSegment: string,
  key: string | Uint8Array = TEST_SECRET,
) {
  const input = `${headerSegment}.${payloadSegment}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

/** The genuine header and claims with changes; `undefined` removes a field. */
function forged(changes: { header?: Json; payload?: Json } = {}, key?: string | Uint8Array) {
  const strip = (value: Json) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
  return hmacToken(
    segment(strip({ ...header, ...changes.header })),
    segment(strip({ ...payload, ...changes.payload })),
    key,
  );
}

/** Sends only an access cookie, so nothing can fall back to a session. */
async function statusWith(access: string): Promise<number> {
  const response = await t.client().get("/api/auth/session", {
    Cookie: cookieHeader([["auth_access", access]]),
  });
  if (response.status !== 200) await expectProblem(response, 401);
  return response.status;
}

describe("WSTG-SESS-10 JSON Web Tokens", () => {
  it("control: the genuine token, and the forger's own re-signing of it, are accepted", async () => {
    expect(await statusWith(genuine)).toBe(200);
    expect(await statusWith(forged())).toBe(200);
    const past = Math.floor(t.clock.now() / 1000) - 60;
    expect(await statusWith(forged({ payload: { nbf: past } }))).toBe(200);
  });

  it.each([
    [
      "alg none, keeping the genuine signature",
      () => {
        const [, p, s] = genuine.split(".");
        return `${segment({ ...header, alg: "none" })}.${p}.${s}`;
      },
    ],
    ["no alg at all", () => forged({ header: { alg: undefined } })],
    ["alg hs256 (lower case)", () => forged({ header: { alg: "hs256" } })],
    ["alg 'HS256 ' (trailing space)", () => forged({ header: { alg: "HS256 " } })],
    ["alg as an array", () => forged({ header: { alg: ["HS256"] } })],
    [
      "alg none with an admin role and no signature",
      () => `${segment({ ...header, alg: "none" })}.${segment({ ...payload, role: "admin" })}.`,
    ],
  ] as [string, () => string][])("refuses %s", async (_what, token) => {
    expect(await statusWith(token())).toBe(401);
  });

  describe("asymmetric confusion and keys supplied by the token", () => {
    let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
    let ec: Awaited<ReturnType<typeof generateKeyPair>>;
    beforeAll(async () => {
      rsa = await generateKeyPair("RS256", { extractable: true });
      ec = await generateKeyPair("ES256", { extractable: true });
    });

    const sign = (key: Parameters<SignJWT["sign"]>[0], protectedHeader: JWTHeaderParameters) =>
      new SignJWT(payload).setProtectedHeader(protectedHeader).sign(key);

    it.each([
      [
        "RS256 signed by the attacker, our kid",
        async () => sign(rsa.privateKey, { ...header, alg: "RS256" }),
      ],
      [
        "RS256 with the attacker's key embedded as jwk",
        async () =>
          sign(rsa.privateKey, { ...header, alg: "RS256", jwk: await exportJWK(rsa.publicKey) }),
      ],
      [
        "HS256 keyed with the attacker's RSA public key PEM (RS/HS confusion)",
        async () => {
          const pem = await exportSPKI(rsa.publicKey);
          return forged({ header: { jwk: await exportJWK(rsa.publicKey) } }, pem);
        },
      ],
      [
        "ES256 with the attacker's key embedded as jwk",
        async () =>
          sign(ec.privateKey, { ...header, alg: "ES256", jwk: await exportJWK(ec.publicKey) }),
      ],
      [
        "HS256 with the attacker's secret embedded as an oct jwk",
        async () => {
          const secret = randomBytes(32);
          return forged({ header: { jwk: { kty: "oct", k: base64url.encode(secret) } } }, secret);
        },
      ],
      [
        "RS256 with a jku pointing at the attacker's key set",
        async () =>
          sign(rsa.privateKey, {
            ...header,
            alg: "RS256",
            jku: "https://evil.example/jwks.json",
            kid: "evil",
          }),
      ],
      [
        "RS256 with an x5u pointing at the attacker's certificate",
        async () =>
          sign(rsa.privateKey, { ...header, alg: "RS256", x5u: "https://evil.example/cert.pem" }),
      ],
      [
        "RS256 with an x5c chain in the header",
        async () =>
          sign(rsa.privateKey, {
            ...header,
            alg: "RS256",
            x5c: [base64url.encode(randomBytes(64))],
          }),
      ],
    ] as [string, () => Promise<string>][])(
      "refuses %s, fetching nothing",
      async (_what, token) => {
        const fetchSpy = vi.spyOn(globalThis, "fetch");
        try {
          expect(await statusWith(await token())).toBe(401);
          expect(fetchSpy).not.toHaveBeenCalled();
        } finally {
          fetchSpy.mockRestore();
        }
      },
    );
  });

  it.each([
    ["path traversal to an empty key file", () => "../../../../../../dev/null", new Uint8Array(0)],
    ["SQL in the kid", () => "' UNION SELECT 'secret' --", undefined],
    ["__proto__", () => "__proto__", undefined],
    ["constructor", () => "constructor", undefined],
    ["a number", () => 0, undefined],
    ["null", () => null, undefined],
    ["our kid with a NUL appended", () => `${String(header.kid)}\u0000`, undefined],
    ["our kid in upper case", () => String(header.kid).toUpperCase(), undefined],
    ["no kid (no fallback to the current key)", () => undefined, undefined],
  ] as [string, () => unknown, Uint8Array | undefined][])(
    "kid injection: %s is refused, even signed with the real secret",
    async (_what, kid, key) => {
      expect(await statusWith(forged({ header: { kid: kid() } }, key ?? TEST_SECRET))).toBe(401);
    },
  );

  it.each([
    [
      "JWE compact serialisation (5 segments)",
      async () =>
        new EncryptJWT(payload)
          .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid: String(header.kid) })
          .encrypt(new TextEncoder().encode(TEST_SECRET).slice(0, 32)),
    ],
    ["one segment", async () => genuine.split(".")[1]!],
    ["empty segments", async () => ".."],
    [
      "a standard-base64 payload (+ and /), re-signed over that text",
      async () => {
        let filler = 0;
        let text: string;
        do {
          text = Buffer.from(
            JSON.stringify({ ...payload, pad: "?".repeat((filler += 1)) }),
          ).toString("base64");
        } while (!/[+/]/.test(text));
        return hmacToken(segment(header), text.replace(/=+$/, ""));
      },
    ],
    [
      "a payload segment that is not base64 at all, re-signed",
      async () => hmacToken(segment(header), "*{not base64}*"),
    ],
  ] as [string, () => Promise<string>][])("refuses %s", async (_what, token) => {
    expect(await statusWith(await token())).toBe(401);
  });

  it.each([
    [
      "nbf one minute in the future",
      () => ({ payload: { nbf: Math.floor(t.clock.now() / 1000) + 60 } }),
    ],
    ["no iss", () => ({ payload: { iss: undefined } })],
    ["no aud", () => ({ payload: { aud: undefined } })],
    ["no sub", () => ({ payload: { sub: undefined } })],
    ["no sid", () => ({ payload: { sid: undefined } })],
    ["no role", () => ({ payload: { role: undefined } })],
    ["no exp", () => ({ payload: { exp: undefined } })],
    ["no iat", () => ({ payload: { iat: undefined } })],
    ["sub as a number", () => ({ payload: { sub: 42 } })],
    ["sid as an object", () => ({ payload: { sid: { $ne: null } } })],
    ["exp as a string", () => ({ payload: { exp: "99999999999" } })],
    ["no typ header", () => ({ header: { typ: undefined } })],
    ["a typ for ID tokens", () => ({ header: { typ: "id_token+jwt" } })],
    ["an unknown critical header", () => ({ header: { crit: ["x-evil"], "x-evil": true } })],
    ["an unencoded payload (b64: false)", () => ({ header: { b64: false, crit: ["b64"] } })],
  ] as [string, () => { header?: Json; payload?: Json }][])(
    "refuses a token with our signature but %s",
    async (_what, changes) => {
      expect(await statusWith(forged(changes()))).toBe(401);
    },
  );

  it("huge tokens: a genuinely signed 5 KB token and a 1 MB one are refused unverified", async () => {
    const padded = forged({ payload: { pad: "p".repeat(5 * 1024) } });
    expect(padded.length).toBeGreaterThan(4096);
    expect(await statusWith(padded)).toBe(401);
    const started = performance.now();
    expect(await statusWith(`${genuine}.${"A".repeat(1024 * 1024)}`)).toBe(401);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
