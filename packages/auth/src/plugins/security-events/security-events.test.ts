import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHost, type TestHost } from "../../tests/test-host.js";

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost({ abuseLimits: { maxFailures: 2 } });
});
afterAll(() => t.dispose());

describe("the security-events plugin", () => {
  it("records each failure, but one throttled attempt per window: a stranger cannot flood", async () => {
    const { client, email } = await t.signUp();
    const stranger = t.client();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const response = await stranger.post("/api/auth/login", { email, password: "wrong-guess-1" });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(new Set(statuses.slice(2))).toEqual(new Set([429]));
    const { events } = (await (await client.get("/api/auth/activity")).json()) as {
      events: { type: string }[];
    };
    expect(events.map((event) => event.type)).toEqual([
      "sign_in_throttled",
      "sign_in_failed",
      "sign_in_failed",
      "signed_up",
    ]);
  });

  it("shows a user only their own events, and nothing to a stranger", async () => {
    const a = await t.signUp();
    const b = await t.signUp();
    await b.client.post("/api/auth/logout-others");
    expect((await t.client().get("/api/auth/activity")).status).toBe(401);
    const { events } = (await (await a.client.get("/api/auth/activity")).json()) as {
      events: { type: string }[];
    };
    expect(events.map((event) => event.type)).toEqual(["signed_up"]);
  });

  it("names the device a single sign-out ended; the other sign-outs carry no device", async () => {
    const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0";
    const { client, email, password } = await t.signUp();
    const phone = t.client({ "User-Agent": firefox });
    expect((await phone.post("/api/auth/login", { email, password })).status).toBe(200);
    const { sessions } = (await (await client.get("/api/auth/sessions")).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    const other = sessions.find((session) => !session.current)!;
    expect((await client.delete(`/api/auth/sessions/${other.id}`)).status).toBe(204);
    expect((await phone.post("/api/auth/login", { email, password })).status).toBe(200);
    expect((await client.post("/api/auth/logout-others")).status).toBe(204);

    const { events } = (await (await client.get("/api/auth/activity")).json()) as {
      events: { type: string; detail?: Record<string, string> }[];
    };
    const revoked = events.find((event) => event.type === "session_revoked");
    expect(revoked?.detail).toEqual({ device: "Firefox 131 on Linux" });
    const others = events.find((event) => event.type === "signed_out_others");
    expect(others).toBeDefined();
    expect(others?.detail).toBeUndefined();
  });
});
