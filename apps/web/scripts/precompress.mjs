#!/usr/bin/env node
// Writes `name.br` (brotli, quality 11) and `name.gz` (gzip, level 9) next to every
// compressible file of a built SPA, for the server to send as they are (no compression per
// request). The Vite build runs it (vite.config.ts); by hand it prints the sizes:
//
//   node scripts/precompress.mjs [dir]      default: apps/web/dist
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text formats worth compressing; images, fonts (woff2) and archives are compressed already. */
export const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|xml|map|webmanifest|ico)$/i;
/** Below this a file gains next to nothing (a few header bytes saved at best). */
export const MIN_BYTES = 256;

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Compresses one file both ways at maximum quality; a variant is written only when it is
 * smaller than the file itself.
 */
export async function precompressFile(path) {
  const bytes = await readFile(path);
  const [br, gzipped] = await Promise.all([
    brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    }),
    gz(bytes, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  const written = { raw: bytes.byteLength, br: undefined, gzip: undefined };
  if (br.byteLength < bytes.byteLength) {
    await writeFile(`${path}.br`, br);
    written.br = br.byteLength;
  }
  if (gzipped.byteLength < bytes.byteLength) {
    await writeFile(`${path}.gz`, gzipped);
    written.gzip = gzipped.byteLength;
  }
  return written;
}

/**
 * Precompresses every compressible file under `dir` (two at a time: zlib runs them on its
 * thread pool). Returns what it wrote, by path relative to `dir`.
 */
export async function precompressDir(dir, { minBytes = MIN_BYTES } = {}) {
  const todo = [];
  for await (const path of files(dir)) {
    if (COMPRESSIBLE.test(path) && (await stat(path)).size >= minBytes) todo.push(path);
  }
  const results = [];
  const worker = async () => {
    for (let path = todo.shift(); path; path = todo.shift()) {
      results.push({ file: relative(dir, path), ...(await precompressFile(path)) });
    }
  };
  await Promise.all([worker(), worker()]);
  return results.sort((a, b) => a.file.localeCompare(b.file));
}

/** A Vite plugin: precompresses the output directory once the build has written it. */
export function precompress() {
  let outDir = "";
  return {
    name: "hybrid-auth:precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressDir(outDir);
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL("..", import.meta.url));
  const dir = resolve(process.argv[2] ?? join(here, "dist"));
  const kb = (bytes) => (bytes === undefined ? "—" : `${(bytes / 1024).toFixed(1)} KB`);
  for (const { file, raw, gzip: g, br } of await precompressDir(dir)) {
    console.log(
      `${file.padEnd(48)} ${kb(raw).padStart(10)} ${kb(g).padStart(10)} gz ${kb(br).padStart(10)} br`,
    );
  }
}
