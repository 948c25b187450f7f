import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthEnv } from "../../authenticator.js";
import { createAuth } from "../../create-auth.js";
import { openApiDocument } from "../../openapi/document.js";
import { AuthConfigError } from "../../options/config-error.js";
import { parseSetCookie, TestClient } from "../../testing/test-client.js";
import type { SignedUp } from "../../testing/sign-up.js";
import {
  createHostApp,
  createTestHost,
  TEST_SECRET,
  type TestHost,
} from "../../tests/test-host.js";
import { definePlugin } from "../plugin.js";
import { securityEvents } from "../security-events/index.js";
import { twoFactor } from "./index.js";
import { keyId } from "./secret-box.js";
import { twoFactorTables } from "./tables.js";

type Json = Record<string, unknown>;
const json = async (response: Response) => (await response.json()) as Json;

const KEY_A = randomBytes(32).toString("base64");
const KEY_B = randomBytes(32).toString("base64");
const AUTH = "/api/auth";
const TEN_MINUTES_AND_A_BIT = 10 * 60 + 5;

/** A test-only plugin that shows every plugin's export of the signed-in user. */
const exportProbe = definePlugin({
  id: "export-probe",
  setup: (context) => ({
    routes: new Hono<AuthEnv>().get("/probe/export", context.requireAuth, async (c) =>
      c.json(await context.exportUserData(context.db, c.get("auth").userId)),
    ),
  }),
});

const plugins = (keys: string[]) => [
  securityEvents(),
  twoFactor({ encryptionKeys: keys, issuer: "Tidy Test" }),
  exportProbe,
];

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost({ plugins: plugins([KEY_A]) });
});
afterAll(() => t.dispose());

const tables = () =>
  twoFactorTables((base) => base, {
    users: undefined as never,
  });

/** The current code of `secret` at the host's clock (computed by the test, with otplib). */
const codeNow = (secret: string, stepOffset = 0) =>
  generate({ secret, epoch: Math.floor(t.clock.now() / 1000) + stepOffset * 30 });

/** Moves the clock into the next 30-second step (so a fresh code exists). */
const nextStep = () => t.clock.advance(30_000);

type Enrolled = SignedUp & { secret: string; recoveryCodes: string[] };

async function enrol(user?: SignedUp): Promise<Enrolled> {
  const signedUp = user ?? (await t.signUp());
  const setup = await signedUp.client.post(`${AUTH}/2fa/totp/setup`);
  expect(setup.status).toBe(200);
  const { secret } = (await setup.json()) as { secret: string };
  const enable = await signedUp.client.post(`${AUTH}/2fa/totp/enable`, {
    code: await codeNow(secret),
  });
  expect(enable.status).toBe(200);
  const { recoveryCodes } = (await enable.json()) as { recoveryCodes: string[] };
  return { ...signedUp, secret, recoveryCodes };
}

/** The password step in a fresh browser: the pending sign-in. */
async function passwordStep(user: { email: string; password: string }) {
  const browser = t.client();
  const response = await browser.post(`${AUTH}/login`, {
    email: user.email,
    password: user.password,
  });
  return { browser, response };
}

const activity = async (client: TestClient) => {
  const { events } = (await (await client.get(`${AUTH}/activity`)).json()) as {
    events: { type: string }[];
  };
  return events.map((event) => event.type);
};

describe("twoFactor: enrolment", () => {
  it("sets up an authenticator app, confirms it with a code, and hands out 10 recovery codes", async () => {
    const user = await t.signUp();
    expect(await json(await user.client.get(`${AUTH}/2fa`))).toEqual({
      totp: { enabled: false, enabledAt: null },
      recoveryCodes: { remaining: 0 },
    });

    const first = await json(await user.client.post(`${AUTH}/2fa/totp/setup`));
    const setup = await user.client.post(`${AUTH}/2fa/totp/setup`);
    expect(setup.status).toBe(200);
    const { secret, uri } = (await setup.json()) as { secret: string; uri: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(secret).not.toBe(first["secret"]);
    expect(uri).toBe(
      `otpauth://totp/Tidy%20Test:${encodeURIComponent(user.email)}?secret=${secret}&issuer=Tidy%20Test&algorithm=SHA1&digits=6&period=30`,
    );
    // Not on until confirmed: the password alone still signs in.
    expect((await json(await user.client.get(`${AUTH}/2fa`)))["totp"]).toEqual({
      enabled: false,
      enabledAt: null,
    });

    // The replaced secret's code is wrong now; so is garbage.
    const replaced = await user.client.post(`${AUTH}/2fa/totp/enable`, {
      code: await codeNow(first["secret"] as string),
    });
    expect(replaced.status).toBe(422);
    expect((await json(replaced))["errors"]).toEqual([
      { pointer: "/code", detail: "is not the current code of your authenticator app" },
    ]);
    expect((await user.client.post(`${AUTH}/2fa/totp/enable`, { code: "12ab56" })).status).toBe(
      422,
    );

    const enable = await user.client.post(`${AUTH}/2fa/totp/enable`, {
      code: (await codeNow(secret)).replace(/^(\d{3})/, "$1 "),
    });
    expect(enable.status).toBe(200);
    const { recoveryCodes } = (await enable.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);

    expect(await json(await user.client.get(`${AUTH}/2fa`))).toEqual({
      totp: { enabled: true, enabledAt: new Date(t.clock.now()).toISOString() },
      recoveryCodes: { remaining: 10 },
    });
    expect(await activity(user.client)).toContain("second_factor_enabled");

    // Already on: no new setup, no second enabling.
    const again = await user.client.post(`${AUTH}/2fa/totp/setup`);
    expect(again.status).toBe(409);
    expect(again.headers.get("Content-Type")).toBe("application/problem+json");
    expect(
      (await user.client.post(`${AUTH}/2fa/totp/enable`, { code: await codeNow(secret) })).status,
    ).toBe(409);
  });

  it("refuses to enable without a setup, and forgets a setup after a day", async () => {
    const user = await t.signUp();
    expect((await user.client.post(`${AUTH}/2fa/totp/enable`, { code: "123456" })).status).toBe(
      409,
    );
    const { secret } = (await json(await user.client.post(`${AUTH}/2fa/totp/setup`))) as {
      secret: string;
    };
    t.clock.advance(24 * 60 * 60 * 1000 + 1000);
    const late = await user.client.post(`${AUTH}/2fa/totp/enable`, { code: await codeNow(secret) });
    expect(late.status).toBe(409);
    expect((await json(late))["detail"]).toMatch(/expires after a day/);
  });

  it("the retention job prunes setups left unconfirmed for a day, and nothing else", async () => {
    const pending = await t.signUp();
    await pending.client.post(`${AUTH}/2fa/totp/setup`);
    const enabled = await enrol();
    t.clock.advance(24 * 60 * 60 * 1000 + 1000);
    const report = await t.auth.retention.runOnce();
    expect(report.deleted["two-factor/unconfirmed-setups"]).toBeGreaterThanOrEqual(1);
    const { totp } = tables();
    const rows = await t.database.db
      .select({ userId: totp.userId })
      .from(totp)
      .where(eq(totp.userId, pending.user.id));
    expect(rows).toEqual([]);
    const kept = await t.database.db
      .select({ userId: totp.userId })
      .from(totp)
      .where(eq(totp.userId, enabled.user.id));
    expect(kept).toHaveLength(1);
  });

  it("keeps secrets and recovery codes unreadable in the database", async () => {
    const user = await enrol();
    const { totp, recoveryCodes } = tables();
    const [row] = await t.database.db.select().from(totp).where(eq(totp.userId, user.user.id));
    expect(row!.secret).not.toContain(user.secret);
    expect(row!.secret.split(".")[1]).toBe(keyId(Buffer.from(KEY_A, "base64")));
    const codes = await t.database.db
      .select()
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, user.user.id));
    expect(codes).toHaveLength(10);
    const stored = JSON.stringify([row, codes]);
    expect(stored).not.toContain(user.secret);
    expect(stored.toLowerCase()).not.toContain(user.secret.toLowerCase());
    for (const code of user.recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace("-", ""));
    }
    // The data export tells whether it is on, never a secret.
    const exported = await json(await user.client.get(`${AUTH}/probe/export`));
    expect(exported["two-factor"]).toEqual({
      totp: { enabled: true, enabledAt: expect.any(String) },
      recoveryCodes: { remaining: 10 },
    });
    expect(JSON.stringify(exported)).not.toContain(user.secret);
  });

  it("a sealed secret moved to another user's row does not open for them", async () => {
    const victim = await enrol();
    const attacker = await enrol();
    const { totp } = tables();
    const [row] = await t.database.db.select().from(totp).where(eq(totp.userId, victim.user.id));
    await t.database.db
      .update(totp)
      .set({ secret: row!.secret, lastUsedStep: -1 })
      .where(eq(totp.userId, attacker.user.id));
    nextStep();
    const { browser } = await passwordStep(attacker);
    const refused = await browser.post(`${AUTH}/2fa/verify`, {
      code: await codeNow(victim.secret),
    });
    expect(refused.status).toBe(422);
  });
});

describe("twoFactor: signing in", () => {
  it("the password step opens no session: only a pending cookie that nothing else accepts", async () => {
    const user = await enrol();
    nextStep();
    const { browser, response } = await passwordStep(user);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      twoFactorRequired: true,
      methods: ["totp", "recovery_code"],
    });
    const cookies = response.headers.getSetCookie().map(parseSetCookie);
    expect(cookies.map((cookie) => cookie.name)).toEqual(["auth_pending"]);
    const [pending] = cookies;
    expect(pending!.attributes).toMatchObject({
      httponly: true,
      samesite: "Lax",
      path: "/",
      "max-age": "300",
    });

    for (const path of [`${AUTH}/me`, `${AUTH}/sessions`, `${AUTH}/session`, "/api/notes"]) {
      expect((await browser.get(path)).status, path).toBe(401);
    }
    expect((await browser.get(`${AUTH}/2fa`)).status).toBe(401);
    expect((await browser.post(`${AUTH}/reauthenticate/totp`, { code: "123456" })).status).toBe(
      401,
    );

    const used = browser.fork();
    const verify = await browser.post(`${AUTH}/2fa/verify`, { code: await codeNow(user.secret) });
    expect(verify.status).toBe(200);
    expect(((await verify.json()) as { user: { email: string } }).user.email).toBe(user.email);
    const set = verify.headers.getSetCookie().map(parseSetCookie);
    expect(set.find((cookie) => cookie.name === "auth_access")?.value).toBeTruthy();
    expect(set.find((cookie) => cookie.name === "auth_session")?.value).toBeTruthy();
    expect(set.find((cookie) => cookie.name === "auth_pending")?.attributes["max-age"]).toBe("0");

    expect((await browser.get(`${AUTH}/me`)).status).toBe(200);
    const { sessions } = (await json(await browser.get(`${AUTH}/sessions`))) as {
      sessions: { current: boolean; signInMethods: string[] }[];
    };
    expect(sessions.find((session) => session.current)?.signInMethods).toEqual([
      "password",
      "totp",
    ]);

    // Single use: the same pending cookie (another tab kept it) cannot complete again.
    nextStep();
    const replayed = await used.post(`${AUTH}/2fa/verify`, { code: await codeNow(user.secret) });
    expect(replayed.status).toBe(401);
    expect((await json(replayed))["type"]).toBe("/problems/second-factor-expired");
  });

  it("the pending sign-in expires after 5 minutes", async () => {
    const user = await enrol();
    const { browser } = await passwordStep(user);
    t.clock.advance(5 * 60 * 1000 + 1000);
    const late = await browser.post(`${AUTH}/2fa/verify`, { code: await codeNow(user.secret) });
    expect(late.status).toBe(401);
    expect((await json(late))["type"]).toBe("/problems/second-factor-expired");
    // Without any pending cookie at all: the same 401.
    const stranger = await t.client().post(`${AUTH}/2fa/verify`, { code: "123456" });
    expect(stranger.status).toBe(401);
  });

  it("accepts each time step once: a replayed code is refused, even from another browser", async () => {
    const user = await enrol();
    nextStep();
    const code = await codeNow(user.secret);
    const first = await passwordStep(user);
    expect((await first.browser.post(`${AUTH}/2fa/verify`, { code })).status).toBe(200);

    const second = await passwordStep(user);
    expect((await second.browser.post(`${AUTH}/2fa/verify`, { code })).status).toBe(422);
    // The previous step's code is within the window, but older than the step used.
    const previous = await codeNow(user.secret, -1);
    expect((await second.browser.post(`${AUTH}/2fa/verify`, { code: previous })).status).toBe(422);

    nextStep();
    const fresh = await codeNow(user.secret);
    expect((await second.browser.post(`${AUTH}/2fa/verify`, { code: fresh })).status).toBe(200);
  });

  it("two sign-ins racing with the same code: exactly one gets in", async () => {
    const user = await enrol();
    nextStep();
    const code = await codeNow(user.secret);
    const [a, b] = await Promise.all([passwordStep(user), passwordStep(user)]);
    const statuses = (
      await Promise.all([
        a.browser.post(`${AUTH}/2fa/verify`, { code }),
        b.browser.post(`${AUTH}/2fa/verify`, { code }),
      ])
    ).map((response) => response.status);
    expect(statuses.sort()).toEqual([200, 422]);
  });

  it("a recovery code signs in once, typed any way; using one is recorded", async () => {
    const user = await enrol();
    const [code] = user.recoveryCodes;
    const typed = ` ${code!.replace("-", " ").toUpperCase()} `;
    const { browser } = await passwordStep(user);
    const response = await browser.post(`${AUTH}/2fa/verify`, { recoveryCode: typed });
    expect(response.status).toBe(200);
    const { sessions } = (await json(await browser.get(`${AUTH}/sessions`))) as {
      sessions: { current: boolean; signInMethods: string[] }[];
    };
    expect(sessions.find((session) => session.current)?.signInMethods).toEqual([
      "password",
      "recovery_code",
    ]);
    expect((await json(await browser.get(`${AUTH}/2fa`)))["recoveryCodes"]).toEqual({
      remaining: 9,
    });
    expect(await activity(browser)).toContain("recovery_code_used");

    const again = await passwordStep(user);
    const reused = await again.browser.post(`${AUTH}/2fa/verify`, { recoveryCode: code });
    expect(reused.status).toBe(422);
    expect((await json(reused))["errors"]).toEqual([
      { pointer: "/recoveryCode", detail: "is not an unused recovery code of this account" },
    ]);
    // Another user's codes are no use here either.
    const other = await enrol();
    const foreign = await again.browser.post(`${AUTH}/2fa/verify`, {
      recoveryCode: other.recoveryCodes[0],
    });
    expect(foreign.status).toBe(422);
    const second = await again.browser.post(`${AUTH}/2fa/verify`, {
      recoveryCode: user.recoveryCodes[1],
    });
    expect(second.status).toBe(200);
  });

  it("a sign-in that fails after a right code spends nothing: the code still works next time", async () => {
    const user = await enrol();
    const { browser } = await passwordStep(user);
    // Two tabs race with one pending sign-in and two different recovery codes: one signs in,
    // the other's sign-in fails — and its code must not be spent.
    const [first, second] = await Promise.all([
      browser.fork().post(`${AUTH}/2fa/verify`, { recoveryCode: user.recoveryCodes[0] }),
      browser.fork().post(`${AUTH}/2fa/verify`, { recoveryCode: user.recoveryCodes[1] }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 401]);
    const loser = first.status === 401 ? user.recoveryCodes[0] : user.recoveryCodes[1];
    const again = await passwordStep(user);
    const used = await again.browser.post(`${AUTH}/2fa/verify`, { recoveryCode: loser });
    expect(used.status).toBe(200);
  });

  it("asks for exactly one of code and recoveryCode", async () => {
    const user = await enrol();
    const { browser } = await passwordStep(user);
    expect((await browser.post(`${AUTH}/2fa/verify`, {})).status).toBe(422);
    const both = await browser.post(`${AUTH}/2fa/verify`, {
      code: "123456",
      recoveryCode: user.recoveryCodes[0],
    });
    expect(both.status).toBe(422);
  });

  it("throttles wrong sign-in codes per account and address, without locking the owner's sessions out", async () => {
    const user = await enrol();
    nextStep();
    const wrong = async () => {
      let code = "000000";
      while (
        code === (await codeNow(user.secret, -1)) ||
        code === (await codeNow(user.secret)) ||
        code === (await codeNow(user.secret, 1))
      ) {
        code = String(Number(code) + 1).padStart(6, "0");
      }
      return code;
    };
    // Someone who knows the password guesses codes at the second step.
    const { browser } = await passwordStep(user);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await browser.post(`${AUTH}/2fa/verify`, { code: await wrong() });
      expect(response.status).toBe(422);
    }
    const throttled = await browser.post(`${AUTH}/2fa/verify`, {
      code: await codeNow(user.secret),
    });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(throttled.headers.get("Content-Type")).toBe("application/problem+json");
    // Recovery codes share the budget (otherwise they would be the way around it), and so does
    // a fresh password step from the same place.
    const viaRecovery = await browser.post(`${AUTH}/2fa/verify`, {
      recoveryCode: user.recoveryCodes[0],
    });
    expect(viaRecovery.status).toBe(429);
    const again = await passwordStep(user);
    expect(
      (await again.browser.post(`${AUTH}/2fa/verify`, { code: await codeNow(user.secret) })).status,
    ).toBe(429);

    // The owner's own session is not theirs to spend: its step-up still works…
    const stepUp = await user.client.post(`${AUTH}/reauthenticate/totp`, {
      code: await codeNow(user.secret),
    });
    expect(stepUp.status).toBe(200);
    // …and has a budget of its own (a stolen session cannot guess forever either).
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await user.client.post(`${AUTH}/reauthenticate/totp`, {
        code: await wrong(),
      });
      expect(response.status).toBe(422);
    }
    nextStep();
    const spent = await user.client.post(`${AUTH}/reauthenticate/totp`, {
      code: await codeNow(user.secret),
    });
    expect(spent.status).toBe(429);

    const events = await activity(user.client);
    expect(events.filter((type) => type === "second_factor_failed")).toHaveLength(5);
    expect(events.filter((type) => type === "reauthentication_failed")).toHaveLength(5);
  });

  it("bounds guessing across addresses with a per-account cap", async () => {
    const host = await createTestHost({
      plugins: [
        securityEvents(),
        twoFactor({
          encryptionKeys: [KEY_A],
          throttle: { points: 100, seconds: 900 },
          accountThrottle: { points: 3, seconds: 3600 },
        }),
      ],
    });
    try {
      const user = await host.signUp();
      const setup = await json(await user.client.post(`${AUTH}/2fa/totp/setup`));
      const secret = setup.secret as string;
      const epoch = () => Math.floor(host.clock.now() / 1000);
      const enable = await user.client.post(`${AUTH}/2fa/totp/enable`, {
        code: await generate({ secret, epoch: epoch() }),
      });
      expect(enable.status).toBe(200);
      host.clock.advance(30_000);
      const right = await generate({ secret, epoch: epoch() });
      const wrong = right === "000000" ? "000001" : "000000";
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const browser = host.client();
        await browser.post(`${AUTH}/login`, { email: user.user.email, password: user.password });
        statuses.push((await browser.post(`${AUTH}/2fa/verify`, { code: wrong })).status);
      }
      expect(statuses).toEqual([422, 422, 422, 429]);
      // The owner's own browser (it signed in to the account before) is not held back by it.
      const owner = user.client;
      const step = await owner.post(`${AUTH}/login`, {
        email: user.user.email,
        password: user.password,
      });
      expect(await step.json()).toMatchObject({ twoFactorRequired: true });
      host.clock.advance(30_000);
      const code = await generate({ secret, epoch: epoch() });
      expect((await owner.post(`${AUTH}/2fa/verify`, { code })).status).toBe(200);
    } finally {
      await host.dispose();
    }
  });

  it("wrong codes while enabling count against the session's budget", async () => {
    const user = await t.signUp();
    const { secret } = (await json(await user.client.post(`${AUTH}/2fa/totp/setup`))) as {
      secret: string;
    };
    const right = await codeNow(secret);
    const wrong = right === "000000" ? "000001" : "000000";
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await user.client.post(`${AUTH}/2fa/totp/enable`, { code: wrong })).status).toBe(422);
    }
    const throttled = await user.client.post(`${AUTH}/2fa/totp/enable`, { code: right });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("Retry-After")).toMatch(/^\d+$/);
  });

  it("a right code gives its attempt back: the owner's successes never throttle them", async () => {
    const user = await enrol();
    for (let round = 0; round < 7; round += 1) {
      nextStep();
      const response = await user.client.post(`${AUTH}/reauthenticate/totp`, {
        code: await codeNow(user.secret),
      });
      expect(response.status).toBe(200);
    }
  });
});

describe("twoFactor: step-up", () => {
  it("turning it off and replacing the codes need a recent proof; a TOTP code is one, the password is not", async () => {
    const user = await enrol();
    t.clock.advanceSeconds(TEN_MINUTES_AND_A_BIT);

    for (const path of ["/2fa/totp/disable", "/2fa/recovery-codes/regenerate"]) {
      const refused = await user.client.post(`${AUTH}${path}`);
      expect(refused.status, path).toBe(401);
      expect(await refused.json()).toMatchObject({
        type: "/problems/reauthentication-required",
        methods: ["totp"],
        maxAgeSeconds: 600,
      });
    }
    const byPassword = await user.client.post(`${AUTH}/reauthenticate`, {
      password: user.password,
    });
    expect(byPassword.status).toBe(403);
    expect((await json(byPassword))["methods"]).toEqual(["totp"]);
    expect((await user.client.post(`${AUTH}/2fa/recovery-codes/regenerate`)).status).toBe(401);

    const wrong = await user.client.post(`${AUTH}/reauthenticate/totp`, { code: "12345" });
    expect(wrong.status).toBe(422);

    const proof = await user.client.post(`${AUTH}/reauthenticate/totp`, {
      code: await codeNow(user.secret),
    });
    expect(proof.status).toBe(200);
    const { authTime } = (await proof.json()) as { authTime: string };
    expect(authTime).toBe(new Date(Math.floor(t.clock.now() / 1000) * 1000).toISOString());
    expect(proof.headers.getSetCookie().some((c) => c.startsWith("auth_access="))).toBe(true);
    expect(await activity(user.client)).toContain("reauthenticated");

    const regenerated = await user.client.post(`${AUTH}/2fa/recovery-codes/regenerate`);
    expect(regenerated.status).toBe(200);
    const { recoveryCodes } = (await regenerated.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes.some((code) => user.recoveryCodes.includes(code))).toBe(false);
    expect(await activity(user.client)).toContain("recovery_codes_regenerated");

    // The old codes are gone, the new ones work.
    const { browser } = await passwordStep(user);
    const old = await browser.post(`${AUTH}/2fa/verify`, { recoveryCode: user.recoveryCodes[0] });
    expect(old.status).toBe(422);
    const fresh = await browser.post(`${AUTH}/2fa/verify`, { recoveryCode: recoveryCodes[0] });
    expect(fresh.status).toBe(200);

    const disable = await user.client.post(`${AUTH}/2fa/totp/disable`);
    expect(disable.status).toBe(204);
    expect(await json(await user.client.get(`${AUTH}/2fa`))).toEqual({
      totp: { enabled: false, enabledAt: null },
      recoveryCodes: { remaining: 0 },
    });
    expect(await activity(user.client)).toContain("second_factor_disabled");
    const { recoveryCodes: codesTable } = tables();
    const left = await t.database.db
      .select()
      .from(codesTable)
      .where(eq(codesTable.userId, user.user.id));
    expect(left).toEqual([]);

    // Off: the password alone signs in again, and a step-up by TOTP is no longer possible.
    const plain = await passwordStep(user);
    expect(((await plain.response.json()) as { user?: unknown }).user).toBeDefined();
    expect((await user.client.post(`${AUTH}/2fa/totp/disable`)).status).toBe(409);
    expect((await user.client.post(`${AUTH}/reauthenticate/totp`, { code: "123456" })).status).toBe(
      409,
    );
  });

  it("setting up an app needs a recent proof too", async () => {
    const user = await t.signUp();
    t.clock.advanceSeconds(TEN_MINUTES_AND_A_BIT);
    const refused = await user.client.post(`${AUTH}/2fa/totp/setup`);
    expect(refused.status).toBe(401);
    expect((await json(refused))["methods"]).toEqual(["password"]);
    expect(
      (await user.client.post(`${AUTH}/reauthenticate`, { password: user.password })).status,
    ).toBe(200);
    expect((await user.client.post(`${AUTH}/2fa/totp/setup`)).status).toBe(200);
  });
});

describe("twoFactor: encryption keys", () => {
  it("refuses a bad key at start-up, naming the option", async () => {
    const attempt = (keys: string[]) =>
      createAuth({
        secret: TEST_SECRET,
        secureCookies: false,
        retention: { autoStart: false },
        db: t.database.db,
        plugins: [twoFactor({ encryptionKeys: keys })],
      });
    for (const keys of [[], ["c2hvcnQ="], [KEY_A, "not base64 at all!"]]) {
      let caught: unknown;
      try {
        await attempt(keys);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AuthConfigError);
      expect((caught as AuthConfigError).option).toMatch(/^plugins\.two-factor\.encryptionKeys/);
    }
  });

  it("after a rotation, opens secrets sealed with the old key and re-seals them with the new one", async () => {
    const user = await enrol();
    const rotated = await createAuth({
      secret: TEST_SECRET,
      secureCookies: false,
      retention: { autoStart: false },
      db: t.database.db,
      clock: t.clock,
      plugins: plugins([KEY_B, KEY_A]),
    });
    const app = createHostApp(rotated);
    try {
      nextStep();
      const browser = new TestClient((request) => app.fetch(request));
      await browser.post(`${AUTH}/login`, { email: user.email, password: user.password });
      const verify = await browser.post(`${AUTH}/2fa/verify`, {
        code: await codeNow(user.secret),
      });
      expect(verify.status).toBe(200);
      const { totp } = tables();
      const [row] = await t.database.db.select().from(totp).where(eq(totp.userId, user.user.id));
      expect(row!.secret.split(".")[1]).toBe(keyId(Buffer.from(KEY_B, "base64")));
      expect(row!.secret).not.toContain(user.secret);
    } finally {
      await rotated.close();
    }
    // The host that only knows the old key can no longer open it: the rotation took.
    nextStep();
    const { browser } = await passwordStep(user);
    const refused = await browser.post(`${AUTH}/2fa/verify`, { code: await codeNow(user.secret) });
    expect(refused.status).toBe(422);
  });
});

describe("twoFactor: OpenAPI", () => {
  it("describes every route of the plugin", async () => {
    const document = await openApiDocument(t.app, {
      auth: t.auth,
      info: { title: "test", version: "1" },
    });
    const paths = document.paths ?? {};
    const expected = {
      "/api/auth/2fa": "get",
      "/api/auth/2fa/totp/setup": "post",
      "/api/auth/2fa/totp/enable": "post",
      "/api/auth/2fa/verify": "post",
      "/api/auth/2fa/totp/disable": "post",
      "/api/auth/2fa/recovery-codes/regenerate": "post",
      "/api/auth/reauthenticate/totp": "post",
    } as const;
    for (const [path, method] of Object.entries(expected)) {
      const operation = (paths[path] as Record<string, { summary?: string; responses?: object }>)?.[
        method
      ];
      expect(operation?.summary, path).toBeTruthy();
      expect(operation?.responses, path).toHaveProperty("401");
    }
    const verify = (paths["/api/auth/2fa/verify"] as Record<string, { requestBody?: unknown }>)[
      "post"
    ];
    expect(JSON.stringify(verify?.requestBody)).toContain("recoveryCode");
  });
});

describe("twoFactor: the bearer transport", () => {
  /** A native app: no cookie jar, only what the bodies say. */
  const call = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    t.app.fetch(
      new Request(`http://localhost${AUTH}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify(body),
      }),
    );
  const passwordGrant = (user: { email: string; password: string }) =>
    call("/token", { grant_type: "password", email: user.email, password: user.password });

  it("signs in with the password, then the code, with the pending sign-in in a header; the pair comes in the body", async () => {
    const user = await enrol();
    const first = await passwordGrant(user);
    expect(first.status).toBe(200);
    expect(first.headers.getSetCookie()).toEqual([]);
    const step = (await first.json()) as Json;
    expect(step).toMatchObject({ two_factor_required: true, methods: ["totp", "recovery_code"] });
    expect(step).not.toHaveProperty("access_token");
    const pending = { "Auth-Pending-Sign-In": step.pending_token as string };

    await nextStep();
    const wrong = await call("/2fa/verify", { code: "000000" }, pending);
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).not.toHaveProperty("access_token");

    const done = await call("/2fa/verify", { code: await codeNow(user.secret) }, pending);
    expect(done.status).toBe(200);
    expect(done.headers.getSetCookie()).toEqual([]);
    const pair = (await done.json()) as Json;
    expect(pair).toMatchObject({ user: { id: user.user.id }, token_type: "Bearer" });
    const notes = await t.app.fetch(
      new Request("http://localhost/api/notes", {
        headers: { Authorization: `Bearer ${pair.access_token as string}` },
      }),
    );
    expect(notes.status).toBe(200);
    // The pending sign-in was used once.
    const again = await call("/2fa/verify", { code: await codeNow(user.secret) }, pending);
    expect(again.status).toBe(401);
    // The refresh token works at the token endpoint like any other.
    const refreshed = await call("/token", {
      grant_type: "refresh_token",
      refresh_token: pair.refresh_token,
    });
    expect(refreshed.status).toBe(200);
  });

  it("a pending header with auth or pending cookies is refused as mixed credentials", async () => {
    const user = await enrol();
    const step = (await (await passwordGrant(user)).json()) as Json;
    const { browser } = await passwordStep(user);
    const mixed = await browser.request("POST", `${AUTH}/2fa/verify`, {
      json: { code: await codeNow(user.secret) },
      headers: { "Auth-Pending-Sign-In": step.pending_token as string },
    });
    expect(mixed.status).toBe(400);
    expect(await mixed.json()).toMatchObject({ type: "/problems/mixed-credentials" });
  });

  it("a wrong password says only that: the second factor is not revealed before it", async () => {
    const user = await enrol();
    const wrong = await passwordGrant({ email: user.email, password: "wrong-1234" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).not.toHaveProperty("two_factor_required");
  });
});
