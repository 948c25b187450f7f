import type { Plugin } from "vite";

export declare const COMPRESSIBLE: RegExp;
export declare const MIN_BYTES: number;

export type Precompressed = {
  /** Path relative to the directory. */
  file: string;
  raw: number;
  /** Bytes of the variant written, or undefined when it would not have been smaller. */
  br: number | undefined;
  gzip: number | undefined;
};

export declare function precompressFile(path: string): Promise<Omit<Precompressed, "file">>;
export declare function precompressDir(
  dir: string,
  options?: { minBytes?: number },
): Promise<Precompressed[]>;
export declare function precompress(): Plugin;
