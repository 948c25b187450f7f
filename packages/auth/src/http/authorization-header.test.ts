import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { authorizationHeader } from "./authorization-header.js";
import { bearerToken } from "./bearer.js";

describe("bearerToken", () => {
  it("reads the token of a Bearer header, whatever the scheme's case", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer  hak_x-y_z~+/==")).toBe("hak_x-y_z~+/==");
  });

  it("calls a malformed Bearer header malformed rather than guessing", () => {
    for (const header of ["Bearer", "Bearer ", "Bearer a b", "Bearer a,b", "Bearer\ta"]) {
      expect(bearerToken(header), header).toBeNull();
    }
  });

  it("leaves other schemes alone (a site behind HTTP Basic auth still uses its cookies)", () => {
    expect(bearerToken("Basic dXNlcjpwdw==")).toBeUndefined();
    expect(bearerToken("Bearera")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe("authorizationHeader", () => {
  const app = new Hono().get("/", (c) => c.text(authorizationHeader(c) ?? "none"));

  it("reads Node's raw headers without a Fetch Headers object, in any case", async () => {
    const env = { incoming: { rawHeaders: ["Host", "x", "AUTHORIZATION", "Bearer t"] } };
    const response = await app.request("/", {}, env);
    expect(await response.text()).toBe("Bearer t");
  });

  it("joins two Authorization headers (which then parse as no credential), never picks one", async () => {
    const env = {
      incoming: { rawHeaders: ["authorization", "Bearer a", "Authorization", "Bearer b"] },
    };
    const response = await app.request("/", {}, env);
    const header = await response.text();
    expect(header).toBe("Bearer a, Bearer b");
    expect(bearerToken(header)).toBeNull();
  });

  it("falls back to the Fetch request elsewhere", async () => {
    const response = await app.request("/", { headers: { Authorization: "Bearer u" } });
    expect(await response.text()).toBe("Bearer u");
    expect(await (await app.request("/")).text()).toBe("none");
  });
});
