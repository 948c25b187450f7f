import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestHost, uniqueEmail, type TestHost } from "../tests/test-host.js";
import { PASSWORD_CHECKS_PER_CLIENT } from "./check-route.js";
import { DEFAULT_PASSWORD_POLICY, passwordProblem, personalWords } from "./policy.js";

const CHECK = "/api/auth/password/check";

async function problem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as {
    detail: string;
    errors?: { pointer: string; detail: string }[];
  };
}

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost();
});
afterAll(() => t.dispose());
afterEach(() => vi.restoreAllMocks());

describe("POST /password/check", () => {
  it("gives the server's own verdict, with a level for the meter", async () => {
    const cases = [
      { password: "violet-kettle-harbour-93", expected: { acceptable: true, level: 4 } },
      { password: "plum-ferry-84", expected: { acceptable: true, level: 3 } },
      {
        password: "short",
        expected: { acceptable: false, level: 1, problem: "must be at least 8 characters" },
      },
      {
        password: "x".repeat(257),
        expected: { acceptable: false, level: 1, problem: "must be at most 256 characters" },
      },
      { password: "password1", expected: { acceptable: false, level: 2 } },
    ];
    for (const { password, expected } of cases) {
      const response = await t.client().post(CHECK, { password });
      expect(response.status, password).toBe(200);
      const verdict = (await response.json()) as Record<string, unknown>;
      expect(verdict, password).toMatchObject(expected);
      expect(verdict.problem).toBe(passwordProblem(password, DEFAULT_PASSWORD_POLICY));
    }
  });

  it("counts the user's email and name as guessable, as sign-up does", async () => {
    const email = "marguerite.lindqvist@example.test";
    const password = "marguerite.lindqvist";
    const alone = await (await t.client().post(CHECK, { password })).json();
    const withContext = (await (
      await t.client().post(CHECK, { password, context: [email, "Marguerite"] })
    ).json()) as { problem?: string };
    expect(withContext).toMatchObject({ acceptable: false, level: 2 });
    expect(withContext.problem).toBe(
      passwordProblem(password, DEFAULT_PASSWORD_POLICY, personalWords(email, "Marguerite")),
    );
    expect(alone).not.toEqual(withContext);
  });

  it("agrees with what sign-up then answers", async () => {
    const email = uniqueEmail("check");
    for (const password of ["qwertyuiop", "password1", "Tr0ub4dor&3"]) {
      const verdict = (await (
        await t.client().post(CHECK, { password, context: [email] })
      ).json()) as { acceptable: boolean; problem?: string };
      const register = await t.client().post("/api/auth/register", { email, password });
      if (verdict.acceptable) {
        expect(register.status, password).toBe(201);
        continue;
      }
      const body = await problem(register, 422);
      expect(body.errors?.[0]?.detail, password).toContain(verdict.problem);
    }
  });

  it("applies the host's policy, not the default one", async () => {
    const strict = await t.sibling({ password: { minLength: 16 } });
    const response = await strict.app.request(CHECK, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password: "plum-ferry-84" }),
    });
    expect(await response.json()).toEqual({
      acceptable: false,
      level: 1,
      problem: "must be at least 16 characters",
    });
  });

  it("is never cached, sets no cookie and logs nothing", async () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((name) =>
      vi.spyOn(console, name).mockImplementation(() => {}),
    );
    const response = await t.client().post(CHECK, { password: "secret-canary-password-77" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.getSetCookie()).toEqual([]);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it("answers a bad body with a problem, never a 500", async () => {
    const client = t.client();
    await problem(await client.request("POST", CHECK, { body: "password=x" }), 415);
    await problem(
      await client.request("POST", CHECK, {
        body: "{not json",
        headers: { "Content-Type": "application/json" },
      }),
      400,
    );
    const invalid = [
      {},
      { password: "" },
      { password: 42 },
      { password: "x".repeat(4097) },
      { password: "ok-password-1", context: ["a", "b", "c", "d", "e"] },
      { password: "ok-password-1", context: ["x".repeat(255)] },
      { password: "ok-password-1", extra: true },
      { password: "nul\u0000byte-password" },
    ];
    for (const body of invalid) {
      await problem(await client.post(CHECK, body), 422);
    }
  });

  it("refuses a cross-site request like every other POST", async () => {
    const response = await t
      .client({ Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" })
      .post(CHECK, { password: "violet-kettle-harbour-93" });
    await problem(response, 403);
  });
});

describe("POST /password/check limits", () => {
  it("counts checks per client address: 429 with Retry-After past the limit", async () => {
    let address = "198.51.100.7";
    const host = await t.sibling({ getClientIp: () => address });
    const check = () =>
      host.app.request(CHECK, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        // Short: refused on its length, so the test costs no strength estimates.
        body: JSON.stringify({ password: "short" }),
      });
    for (let i = 0; i < PASSWORD_CHECKS_PER_CLIENT.points; i++) {
      expect((await check()).status).toBe(200);
    }
    const refused = await check();
    const body = await problem(refused, 429);
    expect(body.detail).toMatch(/Too many password checks/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    address = "203.0.113.9";
    expect((await check()).status).toBe(200);
  });
});
