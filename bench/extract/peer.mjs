// peer.mjs — times Readability.js over the page folders of a directory
// (DIR/<page>/source.html), on jsdom and on linkedom, the way
// `newsstand extract --bench DIR` times our extractor: parse plus
// extraction for each page, the best of ROUNDS runs per page, then pages
// per second (over all runs) and the median and 90th percentile per page.
//
//   node peer.mjs DIR [ROUNDS] [jsdom|linkedom ...]
//
// Prints one line per engine:
//   engine PAGES_PER_S MEDIAN_MS P90_MS FAILED
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Readability } from "@mozilla/readability";
import { JSDOM, VirtualConsole } from "jsdom";
import { parseHTML } from "linkedom";

const dir = process.argv[2];
const rounds = Number(process.argv[3] || 1);
const engines = process.argv.length > 4 ? process.argv.slice(4)
                                        : ["jsdom", "linkedom"];
if (!dir) {
  console.error("usage: node peer.mjs DIR [ROUNDS] [jsdom|linkedom ...]");
  process.exit(2);
}

const pages = readdirSync(dir)
  .filter((name) => existsSync(join(dir, name, "source.html")))
  .sort()
  .map((name) => ({
    name,
    html: readFileSync(join(dir, name, "source.html"), "utf8"),
  }));

const quiet = new VirtualConsole();
const parsers = {
  jsdom: (html) =>
    new JSDOM(html, { url: "http://fakehost/test/page.html",
                      virtualConsole: quiet }).window.document,
  linkedom: (html) => parseHTML(html).document,
};

for (const engine of engines) {
  const parse = parsers[engine];
  if (!parse) {
    console.error(`unknown engine ${engine}`);
    process.exit(2);
  }
  const best = [];
  let total = 0;
  let failed = 0;
  for (const page of pages) {
    let min = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      try {
        const doc = parse(page.html);
        new Readability(doc).parse();
      } catch (e) {
        if (r === 0) failed++;
      }
      const t = performance.now() - t0;
      total += t;
      if (t < min) min = t;
    }
    best.push(min);
  }
  best.sort((a, b) => a - b);
  const pps = (pages.length * rounds) / (total / 1000);
  const median = best[Math.floor(best.length / 2)];
  const p90 = best[Math.floor((best.length * 9) / 10)];
  console.log(`${engine} ${pps.toFixed(1)} ${median.toFixed(3)} ` +
              `${p90.toFixed(3)} ${failed}`);
}
