import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Context } from "hono";
import { preferredEncoding, type ContentCoding } from "./accept-encoding.js";

/**
 * The SPA's `index.html`, held in memory as it is and compressed once (brotli 11, gzip 9), so
 * that every page load gets the smallest copy its browser accepts at no cost per request.
 *
 * @example
 * const page = spaPage(readFileSync("dist/index.html"));
 * app.get("/", (c) => page.respond(c, 200));
 */
export function spaPage(file: Uint8Array) {
  const html = new Uint8Array(file);
  const copies = new Map<ContentCoding, Uint8Array<ArrayBuffer>>();
  const br = brotliCompressSync(html, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: html.byteLength,
    },
  });
  const gzip = gzipSync(html, { level: constants.Z_BEST_COMPRESSION });
  if (br.byteLength < html.byteLength) copies.set("br", new Uint8Array(br));
  if (gzip.byteLength < html.byteLength) copies.set("gzip", new Uint8Array(gzip));

  return {
    /** The page with `status`, in the coding the request accepts (identity without one). */
    respond(c: Context, status: 200 | 404): Response {
      const coding = preferredEncoding(c.req.header("Accept-Encoding"));
      const copy = coding ? copies.get(coding) : undefined;
      c.header("Content-Type", "text/html; charset=UTF-8");
      c.header("Vary", "Accept-Encoding");
      if (coding && copy) c.header("Content-Encoding", coding);
      return c.body(copy ?? html, status);
    },
  };
}
