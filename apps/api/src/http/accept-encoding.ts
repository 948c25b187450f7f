/** The content codings this server sends, best first. */
export type ContentCoding = "br" | "gzip";

const OFFERED: readonly ContentCoding[] = ["br", "gzip"];

/**
 * The coding to answer with for an `Accept-Encoding` header (RFC 9110 §12.5.3): the offered
 * one with the highest q-value, brotli on a tie; `*` stands for codings not named; `q=0`
 * refuses. `undefined` means identity (no header, nothing acceptable, or a header we cannot
 * read).
 *
 * @example
 * preferredEncoding("gzip, deflate, br, zstd"); // "br"
 * preferredEncoding("br;q=0, gzip"); // "gzip"
 * preferredEncoding(undefined); // undefined
 */
export function preferredEncoding(header: string | null | undefined): ContentCoding | undefined {
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      if (!/^q\s*=/.test(param)) continue;
      const match = /^q\s*=\s*([01](?:\.\d{0,3})?)$/.exec(param);
      q = match ? Number(match[1]) : 0; // an unreadable weight accepts nothing
    }
    if (q > 1) continue;
    weights.set(name, Math.max(weights.get(name) ?? 0, q));
  }
  const wildcard = weights.get("*") ?? 0;
  let best: ContentCoding | undefined;
  let bestQ = 0;
  for (const coding of OFFERED) {
    const q = weights.get(coding) ?? wildcard;
    if (q > bestQ) [best, bestQ] = [coding, q];
  }
  return best;
}
