import { effectScope, nextTick, ref } from "vue";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deferred, json, mockFetch, problem } from "../testing/fetch-mock";
import {
  CHECK_DELAY_MS,
  checkPassword,
  LOCAL_LENGTH_RULES,
  lengthVerdict,
  loadPasswordPolicy,
  usePasswordFeedback,
} from "./password-feedback";

const CHECK = "POST /api/auth/password/check";
const STRONG = "violet-kettle-harbour-93";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the length rules, checked at once", () => {
  it("are the server's defaults", async () => {
    const { DEFAULT_PASSWORD_POLICY } = await loadPasswordPolicy();
    const { minLength, maxLength, maxBytes } = DEFAULT_PASSWORD_POLICY;
    expect(LOCAL_LENGTH_RULES).toEqual({ minLength, maxLength, maxBytes });
  }, 30_000);

  it("refuse too short and too long in the server's words, without a request", async () => {
    const { calls } = mockFetch({});
    expect(await checkPassword("short", [])).toEqual({
      level: 1,
      label: "Too short",
      problem: "must be at least 8 characters",
    });
    expect(await checkPassword("x".repeat(257), [])).toMatchObject({
      level: 1,
      label: "Too long",
      problem: "must be at most 256 characters",
    });
    expect(await checkPassword("", [])).toMatchObject({ level: 0, problem: undefined });
    expect(calls).toHaveLength(0);
    expect(lengthVerdict(STRONG)).toBeUndefined();
  });
});

describe("checkPassword", () => {
  it("asks the server and shows its verdict", async () => {
    const { calls } = mockFetch({
      [CHECK]: ({ body }) => {
        const { password } = body as { password: string };
        if (password === STRONG) return json({ acceptable: true, level: 4 });
        if (password === "plum-ferry-84") return json({ acceptable: true, level: 3 });
        return json({
          acceptable: false,
          level: 2,
          problem: "is too easy to guess: this is a commonly used password",
        });
      },
    });
    expect(await checkPassword(STRONG, [" ada@example.com ", "", "Ada"])).toEqual({
      level: 4,
      label: "Strong",
      problem: undefined,
    });
    expect(calls[0]!.body).toEqual({ password: STRONG, context: ["ada@example.com", "Ada"] });
    expect(calls[0]!.init?.credentials).toBe("same-origin");
    expect((await checkPassword("plum-ferry-84", [])).label).toBe("Good");
    expect(calls[1]!.body).toEqual({ password: "plum-ferry-84" });
    expect(await checkPassword("password1", [])).toEqual({
      level: 2,
      label: "Too easy to guess",
      problem: "is too easy to guess: this is a commonly used password",
    });
  });

  it("sends at most what the server accepts as context", async () => {
    const { calls } = mockFetch({ [CHECK]: () => json({ acceptable: true, level: 4 }) });
    await checkPassword(STRONG, ["a", "b", "c", "d", "e", "x".repeat(300)]);
    expect(calls[0]!.body).toEqual({ password: STRONG, context: ["a", "b", "c", "d"] });
  });

  it("says 'not checked', never 'refused', when the server cannot be asked", async () => {
    const answers = [
      () => problem(429, "Too many password checks.", {}, { "Retry-After": "30" }),
      () => problem(503, "Busy."),
      () => new Response("<html>proxy error</html>", { status: 200 }),
    ];
    for (const answer of answers) {
      mockFetch({ [CHECK]: answer });
      expect(await checkPassword(STRONG, [])).toEqual({
        level: 0,
        label: "",
        problem: undefined,
        unchecked: true,
      });
    }
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    expect((await checkPassword(STRONG, [])).unchecked).toBe(true);
  });

  it("decides with the policy module when the server has no such check (404)", async () => {
    mockFetch({});
    expect(await checkPassword("password1", [])).toMatchObject({
      level: 2,
      label: "Too easy to guess",
    });
    expect((await checkPassword(STRONG, [])).label).toBe("Strong");
    const own = await checkPassword("marguerite.lindqvist", ["marguerite.lindqvist@example.test"]);
    expect(own.level).toBe(2);
  }, 30_000);
});

describe("usePasswordFeedback", () => {
  function feedback() {
    const password = ref("");
    const scope = effectScope();
    const result = scope.run(() => usePasswordFeedback(password, () => ["ada@example.com"]))!;
    return { password, ...result, stop: () => scope.stop() };
  }

  it("shows the length rules at once and asks the server once typing pauses", async () => {
    vi.useFakeTimers();
    const { calls } = mockFetch({ [CHECK]: () => json({ acceptable: true, level: 4 }) });
    const f = feedback();
    f.password.value = "viol";
    await nextTick();
    expect(f.strength.value.label).toBe("Too short");
    for (const value of ["violet-k", "violet-kettle", STRONG]) {
      f.password.value = value;
      await nextTick();
      await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS / 2);
    }
    expect(calls).toHaveLength(0);
    expect(f.checking.value).toBe(true);
    expect(f.strength.value.level).toBe(0); // the length verdict no longer holds
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    expect(calls.map((call) => call.body)).toEqual([
      { password: STRONG, context: ["ada@example.com"] },
    ]);
    expect(f.strength.value.label).toBe("Strong");
    expect(f.checking.value).toBe(false);

    // Submitting now needs no second request.
    expect((await f.settle()).label).toBe("Strong");
    expect(calls).toHaveLength(1);
    f.stop();
  });

  it("never lets a late answer for an older value overwrite the newer one", async () => {
    const slow = deferred<Response>();
    mockFetch({
      [CHECK]: ({ body }) =>
        (body as { password: string }).password === "password1"
          ? slow.promise
          : json({ acceptable: true, level: 4 }),
    });
    const f = feedback();
    f.password.value = "password1";
    const first = f.settle();
    f.password.value = STRONG;
    await nextTick();
    expect((await f.settle()).label).toBe("Strong");
    slow.resolve(json({ acceptable: false, level: 2, problem: "is too easy to guess: x" }));
    await first.catch(() => undefined);
    expect(f.strength.value.label).toBe("Strong");
    f.stop();
  });

  it("settles without waiting for a server that cannot be reached", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    const f = feedback();
    f.password.value = STRONG;
    const verdict = await f.settle();
    expect(verdict.problem).toBeUndefined();
    expect(verdict.unchecked).toBe(true);
    expect(f.strength.value.unchecked).toBe(true);
    f.stop();
  });
});
