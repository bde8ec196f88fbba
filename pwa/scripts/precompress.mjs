// Writes a gzip (.gz) and a brotli (.br) copy beside each text file of dist/, at build time, so
// that neither `nomade serve` (kernel/static.py) nor nginx (gzip_static / brotli_static)
// compresses on every request. A copy that would not be smaller is not written.
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, extname } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const TEXT = new Set([".js", ".css", ".html", ".webmanifest", ".json", ".svg", ".txt", ".ico"]);
const MIN_BYTES = 256;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let raw = 0, gz = 0, br = 0;
for (const path of [...files(dist)]) {
  if (path.endsWith(".gz") || path.endsWith(".br")) {
    rmSync(path); // a previous build's copy: rewritten below when its file still exists
    continue;
  }
  if (!TEXT.has(extname(path))) continue;
  const body = readFileSync(path);
  if (body.length < MIN_BYTES) continue;
  const gzipped = gzipSync(body, { level: 9 });
  const brotli = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  raw += body.length;
  if (gzipped.length < body.length) { writeFileSync(`${path}.gz`, gzipped); gz += gzipped.length; }
  if (brotli.length < body.length) { writeFileSync(`${path}.br`, brotli); br += brotli.length; }
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`precompressed text assets: ${kb(raw)} → gzip ${kb(gz)}, brotli ${kb(br)}`);
