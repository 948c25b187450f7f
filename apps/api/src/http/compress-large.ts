import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { MiddlewareHandler } from "hono";
import { preferredEncoding, type ContentCoding } from "./accept-encoding.js";

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const compressors: Record<ContentCoding, (bytes: Uint8Array) => Promise<Uint8Array>> = {
  // Quality 4: about gzip -9's size at a fraction of its time, for answers made per request.
  br: (bytes) =>
    brotliAsync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 4,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    }),
  gzip: (bytes) => gzipAsync(bytes, { level: 6 }),
};

/** JSON (problem+json and other `+json` too) and text: what compresses well. */
const COMPRESSIBLE_TYPE = /^(?:application\/(?:[\w.-]+\+)?json|text\/[\w.+-]+)\s*(?:;|$)/i;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

function varyOnAcceptEncoding(headers: Headers): void {
  const vary = headers.get("Vary");
  if (!vary) headers.set("Vary", "Accept-Encoding");
  else if (vary !== "*" && !/(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(vary)) {
    headers.set("Vary", `${vary}, Accept-Encoding`);
  }
}

export type CompressLargeOptions = {
  /** Answers smaller than this go out as they are (default 1 KiB): too small to gain. */
  thresholdBytes?: number;
  /**
   * The route answers the same document every time (the OpenAPI document): its compressed
   * copies are kept (by a digest of the bytes) instead of compressed anew for every request.
   */
  sameBodyEachTime?: boolean;
};

/**
 * Compresses a GET's JSON or text answer of at least `thresholdBytes` with brotli or gzip, as
 * the client's `Accept-Encoding` prefers, and says `Vary: Accept-Encoding`. It reads the whole
 * answer to know its size, so mount it only on the routes that answer lists or documents
 * (to-dos, sessions, activity, users, the export, the OpenAPI document): never on the hot
 * path, where touching `c.res` after `next()` costs every request (decision 004).
 *
 * @example
 * app.use("/api/todos", compressLarge());
 */
export function compressLarge(options: CompressLargeOptions = {}): MiddlewareHandler {
  const threshold = options.thresholdBytes ?? 1024;
  /** With `sameBodyEachTime`: the last document's compressed copies, by coding. */
  let kept: { digest: string; copies: Partial<Record<ContentCoding, Uint8Array>> } | undefined;
  async function compress(coding: ContentCoding, bytes: Uint8Array): Promise<Uint8Array> {
    if (!options.sameBodyEachTime) return compressors[coding](bytes);
    const digest = createHash("sha256").update(bytes).digest("base64");
    if (kept?.digest !== digest) kept = { digest, copies: {} };
    const copies = kept.copies;
    return (copies[coding] ??= await compressors[coding](bytes));
  }
  return async function compressLargeMiddleware(c, next) {
    await next();
    if (c.req.method !== "GET") return; // HEAD is dispatched as GET, but has no body to send
    const res = c.res;
    if (
      res.status !== 200 ||
      !res.body ||
      res.headers.has("Content-Encoding") ||
      !COMPRESSIBLE_TYPE.test(res.headers.get("Content-Type") ?? "") ||
      NO_TRANSFORM.test(res.headers.get("Cache-Control") ?? "")
    ) {
      return;
    }
    const declared = res.headers.get("Content-Length");
    if (declared !== null && Number(declared) < threshold) return;
    varyOnAcceptEncoding(res.headers);
    const coding = preferredEncoding(c.req.header("Accept-Encoding"));
    if (!coding) return;
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength < threshold) {
      c.res = new Response(bytes, res);
      return;
    }
    const compressed = await compress(coding, bytes);
    c.res = new Response(new Uint8Array(compressed), res);
    c.res.headers.set("Content-Encoding", coding);
    c.res.headers.set("Content-Length", String(compressed.byteLength));
    const etag = c.res.headers.get("ETag");
    if (etag && !etag.startsWith("W/")) c.res.headers.set("ETag", `W/${etag}`);
  };
}
