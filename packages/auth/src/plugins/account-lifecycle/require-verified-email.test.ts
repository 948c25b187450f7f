import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLifecycleHost, type LifecycleHost } from "../../tests/lifecycle-host.js";
import { STRONG_PASSWORD, uniqueEmail } from "../../tests/test-host.js";

describe("requireVerifiedEmail", () => {
  let host: LifecycleHost;
  beforeAll(async () => {
    host = await createLifecycleHost({ requireVerifiedEmail: true });
  });
  afterAll(() => host.dispose());

  it("signs nobody in before the address is verified, and tells only the password's owner", async () => {
    const email = uniqueEmail("unverified");
    const browser = host.client();
    const registered = await browser.post("/api/auth/register", {
      email,
      password: STRONG_PASSWORD,
    });
    expect(registered.status).toBe(202);
    expect(await registered.json()).toMatchObject({
      emailVerificationRequired: true,
      user: { email },
    });
    expect(browser.sessionCookies).toEqual([]);
    expect((await browser.get("/api/auth/me")).status).toBe(401);

    // A wrong password learns nothing new: the usual 401.
    expect(
      (await host.client().post("/api/auth/login", { email, password: "wrong-password-0" })).status,
    ).toBe(401);
    const refused = await host
      .client()
      .post("/api/auth/login", { email, password: STRONG_PASSWORD });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: "/problems/email-not-verified" });

    // Signed out, the link can be asked for again (the same 202 for any email).
    const resend = await host.client().post("/api/auth/email/verify/request", { email });
    const unknown = await host
      .client()
      .post("/api/auth/email/verify/request", { email: uniqueEmail("x") });
    expect(resend.status).toBe(202);
    expect(await resend.text()).toBe(await unknown.text());
    const token = await host.tokenFrom(email, "/verify-email");
    expect((await host.client().post("/api/auth/email/verify", { token })).status).toBe(204);
    const signedIn = host.client();
    expect(
      (await signedIn.post("/api/auth/login", { email, password: STRONG_PASSWORD })).status,
    ).toBe(200);
    expect((await signedIn.get("/api/auth/me")).status).toBe(200);
  });
});
