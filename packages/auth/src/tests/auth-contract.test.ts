import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHost, STRONG_PASSWORD, uniqueEmail, type TestHost } from "./test-host.js";

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost();
});
afterAll(() => t.dispose());

const ACCESS = "auth_access";
const SESSION = "auth_session";

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = (await response.json()) as { status: number; title: string; type: string };
  expect(body.status).toBe(status);
  expect(body.title).toBeTruthy();
  expect(body.type).toBeTruthy();
  return body;
}

describe("POST /api/auth/register", () => {
  it("creates the account, signs in and sets both cookies", async () => {
    const client = t.client();
    const email = uniqueEmail();
    const response = await client.post("/api/auth/register", {
      email: `  ${email.toUpperCase()} `,
      password: STRONG_PASSWORD,
      name: "Ada",
    });
    expect(response.status).toBe(201);
    const { user } = (await response.json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({ email, name: "Ada", role: "user" });
    expect(user).not.toHaveProperty("passwordHash");
    expect(client.cookies.has(ACCESS)).toBe(true);
    expect(client.cookies.has(SESSION)).toBe(true);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("answers 409 for an email that is taken, whatever its case", async () => {
    const { email } = await t.signUp();
    const response = await t
      .client()
      .post("/api/auth/register", { email: email.toUpperCase(), password: STRONG_PASSWORD });
    await expectProblem(response, 409);
  });

  it("refuses short, overlong and common passwords with a 422 naming the field", async () => {
    for (const password of ["short", "password123", "x".repeat(257)]) {
      const response = await t
        .client()
        .post("/api/auth/register", { email: uniqueEmail(), password });
      const body = await expectProblem(response, 422);
      expect(body).toMatchObject({ errors: [{ pointer: "/password" }] });
    }
  });

  it("refuses an invalid email", async () => {
    const response = await t
      .client()
      .post("/api/auth/register", { email: "not-an-email", password: STRONG_PASSWORD });
    expect(await expectProblem(response, 422)).toMatchObject({ errors: [{ pointer: "/email" }] });
  });
});

describe("POST /api/auth/login", () => {
  it("signs in with a new session and both cookies", async () => {
    const { email, password } = await t.signUp();
    const client = t.client();
    const response = await client.post("/api/auth/login", { email: email.toUpperCase(), password });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { email: string } }).user.email).toBe(email);
    expect(client.cookies.has(ACCESS) && client.cookies.has(SESSION)).toBe(true);
  });

  it("answers the same generic 401 for a wrong password and an unknown email", async () => {
    const { email } = await t.signUp();
    const wrong = await t.client().post("/api/auth/login", { email, password: "wrong-password-1" });
    const unknown = await t
      .client()
      .post("/api/auth/login", { email: uniqueEmail("ghost"), password: "wrong-password-1" });
    const [a, b] = [await expectProblem(wrong, 401), await expectProblem(unknown, 401)];
    expect(a).toEqual(b);
    expect(wrong.headers.getSetCookie()).toEqual(unknown.headers.getSetCookie());
  });

  it("throttles repeated failures with 429 and Retry-After", async () => {
    const { email } = await t.signUp();
    const client = t.client();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let attempt = 0; attempt < 7; attempt += 1) {
      last = await client.post("/api/auth/login", { email, password: "wrong-password-1" });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    await expectProblem(last!, 429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("session endpoints", () => {
  it("GET /api/auth/session serves the token's claims, 401 without one", async () => {
    const { client, user } = await t.signUp();
    const response = await client.get("/api/auth/session");
    expect(response.status).toBe(200);
    const { session } = (await response.json()) as {
      session: { userId: string; sessionId: string; role: string; expiresAt: string };
    };
    expect(session.userId).toBe(user.id);
    expect(session.role).toBe("user");
    expect(Date.parse(session.expiresAt) - t.clock.now()).toBeLessThanOrEqual(600_000);
    await expectProblem(await t.client().get("/api/auth/session"), 401);
  });

  it("GET /api/auth/me returns the profile, 401 without a session", async () => {
    const { client, email } = await t.signUp();
    const response = await client.get("/api/auth/me");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { email: string } }).user.email).toBe(email);
    await expectProblem(await t.client().get("/api/auth/me"), 401);
  });

  it("GET /api/auth/sessions lists live sessions with the current one marked", async () => {
    const { email, password } = await t.signUp({
      userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    });
    const laptop = t.client({
      "User-Agent":
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    });
    await laptop.post("/api/auth/login", { email, password });
    const response = await laptop.get("/api/auth/sessions");
    expect(response.status).toBe(200);
    const { sessions } = (await response.json()) as {
      sessions: { id: string; current: boolean; device: { label: string }; createdAt: string }[];
    };
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.find((s) => s.current)!.device.label).toMatch(/^Chrome 130 on Mac OS/);
    expect(sessions.find((s) => !s.current)!.device.label).toMatch(/^Firefox 131 on Linux/);
    for (const s of sessions) {
      expect(Object.keys(s).sort()).toEqual(
        [
          "createdAt",
          "current",
          "device",
          "expiresAt",
          "id",
          "ip",
          "lastSeenAt",
          "signInMethods",
        ].sort(),
      );
    }
  });

  it("DELETE /api/auth/sessions/:id revokes one's own session and 404s any other id", async () => {
    const first = await t.signUp();
    const second = t.client();
    await second.post("/api/auth/login", { email: first.email, password: first.password });
    const { sessions } = (await (await first.client.get("/api/auth/sessions")).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    const other = sessions.find((s) => !s.current)!;
    const stranger = await t.signUp();
    await expectProblem(await stranger.client.delete(`/api/auth/sessions/${other.id}`), 404);
    await expectProblem(await first.client.delete(`/api/auth/sessions/not-a-uuid`), 404);
    await expectProblem(
      await first.client.delete(`/api/auth/sessions/00000000-0000-4000-8000-000000000000`),
      404,
    );
    expect((await first.client.delete(`/api/auth/sessions/${other.id}`)).status).toBe(204);
    await expectProblem(await first.client.delete(`/api/auth/sessions/${other.id}`), 404);
    await expectProblem(await second.get("/api/notes"), 401);
    expect((await first.client.get("/api/notes")).status).toBe(200);
  });
});

describe("sign-out endpoints", () => {
  it("POST /api/auth/logout revokes this session, answers 204 and clears the cookies", async () => {
    const { client } = await t.signUp();
    const stolen = client.fork();
    const response = await client.post("/api/auth/logout");
    expect(response.status).toBe(204);
    expect(client.sessionCookies).toEqual([]);
    await expectProblem(await stolen.get("/api/auth/session"), 401);
    expect((await t.client().post("/api/auth/logout")).status).toBe(204);
  });

  it("POST /api/auth/logout-all revokes every session, this one included", async () => {
    const { client, email, password } = await t.signUp();
    const other = t.client();
    await other.post("/api/auth/login", { email, password });
    const response = await client.post("/api/auth/logout-all");
    expect(response.status).toBe(204);
    expect(client.sessionCookies).toEqual([]);
    await expectProblem(await other.get("/api/auth/session"), 401);
    await expectProblem(await client.fork().get("/api/notes"), 401);
  });

  it("POST /api/auth/logout-others keeps only this session", async () => {
    const { client, email, password } = await t.signUp();
    const other = t.client();
    await other.post("/api/auth/login", { email, password });
    expect((await client.post("/api/auth/logout-others")).status).toBe(204);
    await expectProblem(await other.get("/api/auth/session"), 401);
    expect((await client.get("/api/auth/session")).status).toBe(200);
  });
});

describe("POST /api/auth/password", () => {
  it("changes the password and revokes every other session", async () => {
    const { client, email, password } = await t.signUp();
    const other = t.client();
    await other.post("/api/auth/login", { email, password });
    const newPassword = "amber-lighthouse-quietly-17";
    const response = await client.post("/api/auth/password", {
      currentPassword: password,
      newPassword,
    });
    expect(response.status).toBe(204);
    await expectProblem(await other.get("/api/notes"), 401);
    expect((await client.get("/api/notes")).status).toBe(200);
    await expectProblem(await t.client().post("/api/auth/login", { email, password }), 401);
    expect(
      (await t.client().post("/api/auth/login", { email, password: newPassword })).status,
    ).toBe(200);
  });

  it("refuses a wrong current password and a weak new one with 422", async () => {
    const { client, password } = await t.signUp();
    const wrong = await client.post("/api/auth/password", {
      currentPassword: "not-my-password-9",
      newPassword: "amber-lighthouse-quietly-17",
    });
    expect(await expectProblem(wrong, 422)).toMatchObject({
      errors: [{ pointer: "/currentPassword" }],
    });
    const weak = await client.post("/api/auth/password", {
      currentPassword: password,
      newPassword: "password",
    });
    expect(await expectProblem(weak, 422)).toMatchObject({ errors: [{ pointer: "/newPassword" }] });
  });
});
