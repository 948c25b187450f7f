import { describe, expect, it } from "vitest";
import { preferredEncoding } from "./accept-encoding.js";

describe("preferredEncoding", () => {
  it("prefers brotli when a browser takes both", () => {
    expect(preferredEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(preferredEncoding("gzip, deflate, br")).toBe("br");
    expect(preferredEncoding("BR")).toBe("br");
  });

  it("takes gzip when that is all the client takes", () => {
    expect(preferredEncoding("gzip, deflate")).toBe("gzip");
    expect(preferredEncoding("x-gzip, gzip")).toBe("gzip");
  });

  it("follows q-values, and q=0 refuses", () => {
    expect(preferredEncoding("br;q=0.5, gzip;q=0.8")).toBe("gzip");
    expect(preferredEncoding("br;q=0, gzip")).toBe("gzip");
    expect(preferredEncoding("gzip;q=0, br;q=0")).toBeUndefined();
    expect(preferredEncoding("br ; q=0.9 , gzip ; q=0.9")).toBe("br");
  });

  it("reads * as every coding not named", () => {
    expect(preferredEncoding("*")).toBe("br");
    expect(preferredEncoding("br;q=0, *")).toBe("gzip");
    expect(preferredEncoding("*;q=0")).toBeUndefined();
  });

  it("is identity without a header, for codings it does not offer, and for nonsense", () => {
    expect(preferredEncoding(undefined)).toBeUndefined();
    expect(preferredEncoding(null)).toBeUndefined();
    expect(preferredEncoding("")).toBeUndefined();
    expect(preferredEncoding("identity")).toBeUndefined();
    expect(preferredEncoding("deflate, zstd")).toBeUndefined();
    expect(preferredEncoding("br;q=abc, gzip;q=2")).toBeUndefined();
    expect(preferredEncoding(",,;;")).toBeUndefined();
  });
});
