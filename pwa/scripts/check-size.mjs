// Fails the build when the JavaScript a first visit loads is over budget (gzip).
// First load = the entry script of dist/index.html plus the chunks it imports statically
// (modulepreload links); lazily loaded screens are reported but not counted.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET = Number(process.env.NOMADE_FIRST_LOAD_BUDGET_KB ?? 60) * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const firstLoad = new Set(
  [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/?([^"]+\.js)"/g)].map((m) => m[1]),
);
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

let total = 0;
for (const file of firstLoad) {
  const size = gz(file);
  total += size;
  console.log(`first load  ${kb(size).padStart(9)}  ${file}`);
}
for (const file of readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js"))) {
  if (!firstLoad.has(`assets/${file}`)) console.log(`on demand   ${kb(gz(join("assets", file))).padStart(9)}  assets/${file}`);
}
console.log(`service worker ${kb(gz("sw.js"))}`);
console.log(`first-load JavaScript: ${kb(total)} gzip (budget ${kb(BUDGET)})`);
if (firstLoad.size === 0) {
  console.error("check-size: no script found in dist/index.html");
  process.exit(1);
}
if (total > BUDGET) {
  console.error(`check-size: over budget by ${kb(total - BUDGET)}`);
  process.exit(1);
}
