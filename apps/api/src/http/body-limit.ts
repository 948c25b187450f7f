import type { Context, MiddlewareHandler } from "hono";

/** How much of a too-large body is read and thrown away so the client sees the 413. */
export const DEFAULT_DRAIN_BYTES = 8 * 1024 * 1024;

export type BodyLimitOptions = {
  maxBytes: number;
  /** The answer for a body over `maxBytes`. */
  onTooLarge: (c: Context) => Response | Promise<Response>;
  /**
   * Bytes of a refused body read and discarded before answering (default 8 MiB). A server
   * that answers while the client is still sending, then closes, makes the client's kernel
   * see a reset: browsers then show a network error instead of the answer. Past this, the
   * answer says `Connection: close` and the rest is not read.
   */
  drainBytes?: number;
};

/**
 * Hono's `bodyLimit`, with one difference: a refused body is read to its end (up to
 * `drainBytes`) before the 413 goes out, so the client has finished sending and reads the
 * answer instead of a connection reset. A declared `Content-Length` over the limit is refused
 * without buffering anything; a streamed body is buffered up to the limit only.
 *
 * @example
 * app.use("/api/*", limitBody({ maxBytes: 64 * 1024, onTooLarge: (c) => c.text("too large", 413) }));
 */
export function limitBody(options: BodyLimitOptions): MiddlewareHandler {
  const drainBytes = options.drainBytes ?? DEFAULT_DRAIN_BYTES;
  const refuse = async (c: Context, reader: ReadableStreamDefaultReader<Uint8Array>) => {
    const drained = await discard(reader, drainBytes);
    const response = await options.onTooLarge(c);
    if (!drained) response.headers.set("Connection", "close");
    return response;
  };
  return async function limitBodyMiddleware(c, next) {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.raw.headers.get("content-length");
    if (declared !== null && !c.req.raw.headers.has("transfer-encoding")) {
      // Node's parser delivers exactly the declared length: the header is the body's size.
      return Number(declared) > options.maxBytes ? refuse(c, body.getReader()) : next();
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) return refuse(c, reader);
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: concat(chunks, size) });
    return next();
  };
}

/** Reads and drops up to `limit` bytes; true when the body ended within them. */
async function discard(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<boolean> {
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      read += value.byteLength;
      if (read > limit) {
        await reader.cancel().catch(() => {});
        return false;
      }
    }
  } catch {
    return false; // the client went away: nobody is left to answer
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
