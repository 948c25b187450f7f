import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { authorizationHeader, bearerToken } from "./authorization-header.js";

describe("bearerToken", () => {
  it("reads the token of a Bearer header, whatever the scheme's case", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer  hak_x-y_z~+/==")).toBe("hak_x-y_z~+/==");
  });

  it("refuses other schemes and malformed headers rather than guessing", () => {
    for (const header of [
      "Basic dXNlcjpwdw==",
      "Bearer",
      "Bearer ",
      "Bearer a b",
      "Bearera",
      "Bearer a,b",
    ]) {
      expect(bearerToken(header), header).toBeNull();
    }
  });

  it("tells a missing header from a malformed one", () => {
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

  it("falls back to the Fetch request elsewhere", async () => {
    const response = await app.request("/", { headers: { Authorization: "Bearer u" } });
    expect(await response.text()).toBe("Bearer u");
    expect(await (await app.request("/")).text()).toBe("none");
  });
});
