import { randomBytes } from "node:crypto";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLifecycleHost, type LifecycleHost, PUBLIC_URL } from "../../tests/lifecycle-host.js";
import { apiKeys } from "../api-keys/index.js";
import { twoFactor } from "../two-factor/index.js";

const AUTH = "/api/auth";

let host: LifecycleHost;
beforeAll(async () => {
  const keys = [randomBytes(32).toString("base64")];
  host = await createLifecycleHost({}, {}, [
    twoFactor({ encryptionKeys: keys }),
    apiKeys({ scopes: { "notes:read": "Read your notes" } }),
  ]);
});
afterAll(() => host.dispose());

const subjects = (email: string) => host.mailTo(email).map((mail) => mail.subject);

describe("mail about changes to how an account signs in", () => {
  it("tells the owner when two-step sign-in is turned on and off, and when codes are replaced", async () => {
    const { client, email } = await host.signUp();
    const { secret } = (await (await client.post(`${AUTH}/2fa/totp/setup`)).json()) as {
      secret: string;
    };
    const code = await generate({ secret, epoch: Math.floor(host.clock.now() / 1000) });
    expect((await client.post(`${AUTH}/2fa/totp/enable`, { code })).status).toBe(200);
    expect((await client.post(`${AUTH}/2fa/recovery-codes/regenerate`)).status).toBe(200);
    expect((await client.post(`${AUTH}/2fa/totp/disable`)).status).toBe(204);
    await host.deliver();

    const security = host
      .mailTo(email)
      .filter((mail) => mail.subject === "Security change on your Tidy account");
    expect(security.map((mail) => mail.text)).toEqual([
      expect.stringContaining("Two-step sign-in with an authenticator app was turned on"),
      expect.stringContaining("New recovery codes were created"),
      expect.stringContaining("Two-step sign-in was turned off"),
    ]);
    expect(security[0]!.html).toContain(`${PUBLIC_URL}/forgot-password`);
    // Nothing else mailed about it (the welcome verification aside).
    expect(subjects(email).filter((subject) => subject.startsWith("Security"))).toHaveLength(3);
  });

  it("tells the owner when an API key is created (and that a password reset revokes it)", async () => {
    const { client, email } = await host.signUp();
    const created = await client.post(`${AUTH}/api-keys`, {
      name: "backup",
      scopes: ["notes:read"],
    });
    expect(created.status).toBe(201);
    await host.deliver();
    const security = host
      .mailTo(email)
      .filter((mail) => mail.subject === "Security change on your Tidy account");
    expect(security.map((mail) => mail.text)).toEqual([
      expect.stringMatching(/An API key \("backup"\) was created.*revokes every API key/s),
    ]);
  });
});
