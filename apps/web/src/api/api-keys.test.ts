import { afterEach, describe, expect, it, vi } from "vitest";
import { apiKeys } from "./api-keys";
import { ApiError } from "./client";
import { json, mockFetch, noContent, problem } from "../testing/fetch-mock";

afterEach(() => vi.unstubAllGlobals());

const KEY = {
  id: "key_1",
  name: "Backup",
  prefix: "hak_ab12",
  scopes: ["todos:read"],
  createdAt: "2030-01-01T00:00:00.000Z",
  lastUsedAt: null,
  expiresAt: null,
};

describe("apiKeys", () => {
  it("speaks the contract: GET, POST (JSON body), DELETE by id", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/api-keys": () => json({ apiKeys: [KEY], scopes: [], limit: 25 }),
      "POST /api/auth/api-keys": () => json({ apiKey: KEY, secret: "hak_secret" }, 201),
      "DELETE /api/auth/api-keys/:id": () => noContent(),
    });
    expect((await apiKeys.list()).apiKeys).toEqual([KEY]);
    const created = await apiKeys.create({
      name: "Backup",
      scopes: ["todos:read"],
      expiresAt: null,
    });
    expect(created.secret).toBe("hak_secret");
    await apiKeys.revoke("key_1");
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /api/auth/api-keys",
      "POST /api/auth/api-keys",
      "DELETE /api/auth/api-keys/key_1",
    ]);
    expect(calls[1]!.body).toEqual({ name: "Backup", scopes: ["todos:read"], expiresAt: null });
    expect(new Headers(calls[1]!.init?.headers).get("Content-Type")).toBe("application/json");
    expect(calls[1]!.init?.credentials).toBe("same-origin");
  });

  it("keeps an id inside its path segment", async () => {
    const { calls } = mockFetch({ "DELETE /api/auth/api-keys/:id": () => noContent() });
    await apiKeys.revoke("../sessions/s1");
    expect(calls[0]!.path).toBe("/api/auth/api-keys/..%2Fsessions%2Fs1");
  });

  it("throws the problem: the cap's detail, a 404", async () => {
    mockFetch({
      "POST /api/auth/api-keys": () => problem(409, "You already have 25 API keys."),
      "DELETE /api/auth/api-keys/:id": () => problem(404, "Not found."),
    });
    await expect(apiKeys.create({ name: "x", scopes: ["todos:read"] })).rejects.toMatchObject({
      status: 409,
      message: "You already have 25 API keys.",
    });
    await expect(apiKeys.revoke("gone")).rejects.toBeInstanceOf(ApiError);
  });
});
