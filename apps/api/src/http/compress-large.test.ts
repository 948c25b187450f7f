import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.js";
import { compressLarge } from "./compress-large.js";

const big = { items: Array.from({ length: 100 }, (_, i) => ({ id: i, title: `item ${i}` })) };
const app = new Hono()
  .use("*", compressLarge())
  .get("/big", (c) => c.json(big))
  .get("/small", (c) => c.json({ ok: true }))
  .get("/image", (c) => c.body(new Uint8Array(4096), 200, { "Content-Type": "image/png" }))
  .get("/no-transform", (c) => c.json(big, 200, { "Cache-Control": "no-store, no-transform" }))
  .get("/missing", (c) => c.json({ ...big, status: 404 }, 404))
  .post("/big", (c) => c.json(big));

const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  app.request(path, { method, headers });
const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe("compressLarge with sameBodyEachTime", () => {
  it("serves its kept copies while the document stays the same, and new ones once it changes", async () => {
    let version = 1;
    const documents = new Hono()
      .use("*", compressLarge({ sameBodyEachTime: true }))
      .get("/doc", (c) => c.json({ ...big, version }));
    const brotli = async () =>
      Buffer.from(
        await (
          await documents.request("/doc", { headers: { "Accept-Encoding": "br" } })
        ).arrayBuffer(),
      );
    const first = await brotli();
    expect((await brotli()).equals(first)).toBe(true);
    expect(JSON.parse(brotliDecompressSync(first).toString())).toEqual({ ...big, version: 1 });
    version = 2;
    expect(JSON.parse(brotliDecompressSync(await brotli()).toString())).toEqual({
      ...big,
      version: 2,
    });
    const gzip = await documents.request("/doc", { headers: { "Accept-Encoding": "gzip" } });
    expect(JSON.parse(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString())).toEqual({
      ...big,
      version: 2,
    });
  });
});

describe("compressLarge", () => {
  it("brotli-compresses a large JSON answer for a client that takes br", async () => {
    const response = await get("/big", { "Accept-Encoding": "gzip, deflate, br" });
    expect(response.headers.get("content-encoding")).toBe("br");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await bytes(response);
    expect(Number(response.headers.get("content-length"))).toBe(body.byteLength);
    expect(JSON.parse(brotliDecompressSync(body).toString())).toEqual(big);
    expect(body.byteLength).toBeLessThan(JSON.stringify(big).length / 3);
  });

  it("gzips it for a client that takes only gzip", async () => {
    const response = await get("/big", { "Accept-Encoding": "gzip" });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(JSON.parse(gunzipSync(await bytes(response)).toString())).toEqual(big);
  });

  it("sends it as it is to a client that takes neither, saying it varies", async () => {
    const response = await get("/big");
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(await response.json()).toEqual(big);
  });

  it("leaves small answers, other types, no-transform, errors and other methods alone", async () => {
    const small = await get("/small", { "Accept-Encoding": "br" });
    expect(small.headers.get("content-encoding")).toBeNull();
    expect(await small.json()).toEqual({ ok: true });
    for (const path of ["/image", "/no-transform", "/missing"]) {
      const response = await get(path, { "Accept-Encoding": "br" });
      expect(response.headers.get("content-encoding"), path).toBeNull();
    }
    const post = await get("/big", { "Accept-Encoding": "br" }, "POST");
    expect(post.headers.get("content-encoding")).toBeNull();
  });
});

describe("compression in the app", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.dispose());

  it("compresses a long to-do list; a short one and the hot path go out as they are", async () => {
    const { client } = await t.signUp();
    expect((await client.post("/api/todos", { title: "Only one" })).status).toBe(201);
    const short = await client.get("/api/todos", { "Accept-Encoding": "br, gzip" });
    expect(short.headers.get("content-encoding")).toBeNull();
    expect(((await short.json()) as { todos: unknown[] }).todos).toHaveLength(1);

    for (let i = 0; i < 20; i++) {
      expect((await client.post("/api/todos", { title: `To-do number ${i}` })).status).toBe(201);
    }
    const plain = await (await client.get("/api/todos")).json();
    const long = await client.get("/api/todos", { "Accept-Encoding": "br, gzip" });
    expect(long.status).toBe(200);
    expect(long.headers.get("content-encoding")).toBe("br");
    expect(long.headers.get("vary")).toBe("Accept-Encoding");
    expect(long.headers.get("cache-control")).toMatch(/no-store/);
    expect(JSON.parse(brotliDecompressSync(await bytes(long)).toString())).toEqual(plain);

    for (const path of ["/api/auth/session", "/api/health"]) {
      const response = await client.get(path, { "Accept-Encoding": "br, gzip" });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-encoding"), path).toBeNull();
      expect(response.headers.get("vary"), path).toBeNull();
    }
  });

  it("compresses the OpenAPI document", async () => {
    const response = await t.client().get("/api/openapi.json", { "Accept-Encoding": "gzip" });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const document = JSON.parse(gunzipSync(await bytes(response)).toString()) as object;
    expect(document).toHaveProperty("openapi");
  });
});
