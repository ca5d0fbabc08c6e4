// check.mjs — the browser proof of the sanitiser, through the real pipeline
// and on the real article page (issue 4, acceptance 2).
//
//   node check.mjs BIN CORPUS HELPER WORK_DIR [--self-test]
//
// 1. Every corpus row becomes a JSON Feed item (content_html = the input,
//    link https://vectors.example/v/<row>) in a file:// feed; `newsstand
//    publisher add`, `feed add` and `fetch --once --all` ingest them, so
//    each body is sanitised and stored as production does. The store drops
//    an article whose text another article of the same publisher already
//    has ("safe description" is the text of 118 rows), so rows with equal
//    text go to publishers vectors-1, vectors-2…: every row is an article.
// 2. The stored bodies are sanitised again (HELPER stable): the same bytes.
// 3. A member (`user add`, `user grant`) signs in through /signin on
//    `newsstand serve --role web`; every article page is loaded in Debian's
//    Chromium, in a context with bypassCSP (the page's CSP off), and the
//    served page must carry the stored body in full (no paywall).
// 4. Hooks record any sign of active content: alert, confirm, prompt,
//    print, window.open, fetch, XHR, WebSocket, EventSource and beacons
//    (init script, every frame); console messages; page errors; dialogs;
//    popups; downloads; navigations of the page; and every request other
//    than the article page itself and the app's /static/ assets, all
//    aborted. Images whose URL is in an <img src|srcset> or <source srcset>
//    of the served page, and allow-listed players' iframes, are aborted
//    too and counted apart: passive, they run nothing.
//
// With --self-test the raw corpus input replaces the stored body inside the
// served article page: the hooks must find executions.
//
// Prints a JSON summary and one FINDING line per finding; exits 1 on any.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const [, , BIN, CORPUS, HELPER, WORK, MODE] = process.argv;
const SELF_TEST = MODE === '--self-test';
const PAGES = Number(process.env.SANITIZER_PAGES || 4);
const SETTLE_MS = Number(process.env.SANITIZER_SETTLE_MS || 60);
const DATA = `${WORK}/data`;
const DB = `${DATA}/newsstand.db`;
const EMAIL = 'reader@example.com';
const PASSWORD = 'a-long-password-1';
const EMBED_HOSTS = new Set([
  'www.youtube.com', 'youtube.com', 'www.youtube-nocookie.com',
  'youtube-nocookie.com', 'player.vimeo.com', 'www.dailymotion.com',
  'open.spotify.com', 'w.soundcloud.com', 'embed.ted.com',
]);
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

function cli(args, input) {
  return execFileSync(BIN, [...args, '--data-dir', DATA],
    { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function sql(query) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', DB, query],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.trim() ? JSON.parse(out) : [];
}

const vectorUrl = (i) => `https://vectors.example/v/${i}`;

// ---- 1. Feeds, publishers, ingest -----------------------------------------
mkdirSync(DATA, { recursive: true });
const rows = readFileSync(CORPUS, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const now = Date.now();
const items = rows.map((r, i) => ({
  id: vectorUrl(i),
  url: vectorUrl(i),
  title: `Vector ${i}`,
  // Every item has content, even empty: no page is ever extracted.
  content_html: r.input ?? '',
  date_published: new Date(now - (i + 1) * 1000).toISOString(),
}));
function writeFeed(path, list) {
  writeFileSync(path, JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1', title: 'Vectors',
    home_page_url: 'https://vectors.example/', items: list,
  }));
}
writeFeed(`${WORK}/all.json`, items);
// The text ingest will store for each item, to spread equal texts.
const keys = execFileSync(HELPER, ['keys', `${WORK}/all.json`, `file://${WORK}/all.json`],
  { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').filter(Boolean).map((l) => JSON.parse(l));
if (keys.length !== items.length) throw new Error(`helper saw ${keys.length} of ${items.length} items`);
const seen = new Map();
const feeds = [];
keys.forEach((k, i) => {
  let n = 0;
  if (/\S/.test(k.text)) {
    n = seen.get(k.text) || 0;
    seen.set(k.text, n + 1);
  }
  (feeds[n] ||= []).push(items[i]);
});
for (let n = 0; n < feeds.length; n++) {
  const path = `${WORK}/feed-${n + 1}.json`;
  writeFeed(path, feeds[n]);
  cli(['publisher', 'add', `vectors-${n + 1}`, '--name', `Vectors ${n + 1}`]);
  cli(['feed', 'add', `vectors-${n + 1}`, `file://${path}`]);
}
const fetchLog = execFileSync(BIN, ['fetch', '--once', '--all', '--data-dir', DATA, '--log-level', 'info'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const ingested = sql('SELECT id, guid, url, body_html FROM articles');
const byGuid = new Map(ingested.map((a) => [a.guid, a]));
const missing = items.map((it, i) => i).filter((i) => !byGuid.has(vectorUrl(i)));
if (missing.length) {
  console.log(`FAIL ${missing.length} rows did not become articles: ${missing.slice(0, 20).join(' ')}`);
  console.log(fetchLog);
  process.exit(1);
}
console.error(`[${seconds()} s] ${rows.length} rows ingested as ${ingested.length} articles ` +
  `of ${feeds.length} publishers`);

// ---- 2. Idempotence of every stored body ----------------------------------
writeFileSync(`${WORK}/stored.json`, JSON.stringify(ingested.map((a) => ({ id: a.id, url: a.url, html: a.body_html }))));
let stable;
try {
  stable = JSON.parse(execFileSync(HELPER, ['stable', `${WORK}/stored.json`],
    { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] }));
} catch (e) {
  stable = JSON.parse(e.stdout || '{"rows":0,"unstable":-1,"ids":[]}');
}

// ---- 3. A member, the server, a browser signed in -------------------------
cli(['user', 'add', EMAIL], `${PASSWORD}\n`);
cli(['user', 'grant', EMAIL, '--until', `${new Date().getUTCFullYear() + 1}-12-31`]);
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const BASE = `http://127.0.0.1:${port}`;
const log = openSync(`${WORK}/serve.log`, 'w');
const server = spawn(BIN, ['serve', '--role', 'web', '--data-dir', DATA, '--listen', `127.0.0.1:${port}`,
  '--base-url', BASE], { stdio: ['ignore', log, log], env: { ...process.env, NEWSSTAND_LOG_LEVEL: 'warn' } });
writeFileSync(`${WORK}/serve.pid`, `${server.pid}\n`);
const stopServer = () => { if (server.exitCode === null) server.kill('SIGTERM'); };
process.on('exit', stopServer);
for (let i = 0; ; i++) {
  try { if ((await fetch(`${BASE}/`)).ok) break; } catch { /* not yet */ }
  if (i > 100 || server.exitCode !== null) {
    console.log('FAIL the server did not start');
    console.log(readFileSync(`${WORK}/serve.log`, 'utf8'));
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}

// Article pages: /a/<id> answers with a redirect to /a/<id>-<slug>.
const vectors = [];
for (let i = 0; i < rows.length; i++) {
  const a = byGuid.get(vectorUrl(i));
  const r = await fetch(`${BASE}/a/${a.id}`, { redirect: 'manual' });
  const path = r.status === 301 ? r.headers.get('location') : `/a/${a.id}`;
  vectors.push({ index: i, id: rows[i].id, article: a.id, url: new URL(path, BASE).href,
    stored: a.body_html, raw: rows[i].input ?? '' });
}

const context = await chromium.launchPersistentContext(`${WORK}/profile`, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  bypassCSP: true,
  viewport: { width: 800, height: 600 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

{
  const page = context.pages()[0] || await context.newPage();
  await page.goto(`${BASE}/signin`);
  await page.fill('form[action="/signin"] [name="email"]', EMAIL);
  await page.fill('form[action="/signin"] [name="password"]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/signin"] button[type=submit]')]);
  const session = (await context.cookies(BASE)).find((c) => c.name === 'session' && c.value);
  if (!session) {
    console.log(`FAIL signing in as ${EMAIL} gave no session cookie (${page.url()})`);
    await context.close();
    process.exit(1);
  }
  await page.close();
}

// ---- 4. Every article page, with the hooks --------------------------------
const hooks = () => {
  const record = (kind, detail) => {
    let w = window;
    try { if (window.top.location.href) w = window.top; } catch { /* cross-origin frame */ }
    (w.__events ||= []).push({ kind, detail: String(detail).slice(0, 200) });
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    window[name] = (...args) => record(name, args.join(' '));
  }
  window.open = (url) => { record('window.open', url); return null; };
  const realFetch = window.fetch;
  window.fetch = (input, ...rest) => { record('fetch', input); return realFetch(input, ...rest); };
  const realOpen = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    record('xhr', url);
    return realOpen.call(this, method, url, ...rest);
  };
  window.WebSocket = function (url) { record('websocket', url); throw new Error('blocked'); };
  window.EventSource = function (url) { record('eventsource', url); throw new Error('blocked'); };
  navigator.sendBeacon = (url) => { record('beacon', url); return false; };
  window.addEventListener('securitypolicyviolation', (e) => record('csp', e.blockedURI));
};
await context.addInitScript(hooks);

const findings = [];
const stats = { pageLoads: 0, passiveImages: 0, embeds: 0, staticAssets: 0, refetched: 0 };
const decode = (s) => s.replace(/&(amp|quot|lt|gt|#39|#x27);/g,
  (m, e) => ({ amp: '&', quot: '"', lt: '<', gt: '>', '#39': "'", '#x27': "'" })[e]);
const norm = (u, base) => { try { const x = new URL(u, base); x.hash = ''; return x.href; } catch { return u; } };

// URLs the served page may fetch as passive images.
function imageUrls(html, base) {
  const urls = new Set();
  for (const m of html.matchAll(/<(?:img|source)\b[^>]*>/g)) {
    const src = /\ssrc="([^"]*)"/.exec(m[0]);
    if (src) urls.add(norm(decode(src[1]), base));
    const set = /\ssrcset="([^"]*)"/.exec(m[0]);
    if (set) for (const c of decode(set[1]).split(/,\s+/)) urls.add(norm(c.trim().split(/\s+/)[0], base));
  }
  return urls;
}

const BODY_OPEN = '<div class="article-body">\n';
const BODY_CLOSE = '\n</div>\n';

// A page busy in a loop answers nothing: give up after ms.
function within(promise, ms) {
  let timer;
  return Promise.race([promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms); })]);
}

// One page per worker, navigated from article to article; a page that
// active content took away (only possible in the self-test) is replaced.
async function worker(queue) {
  let current = null; // the vector on screen
  let previousImages = new Set();
  const aborted = new Set();
  const note = (kind, detail) => findings.push({ vector: current, kind, detail: String(detail).slice(0, 300) });

  // The article page through the test's own HTTP client. A kept-alive
  // connection that the server closes for idleness just as the client
  // sends on it ends in a reset; browsers send such a request again on a
  // fresh connection, and so does this (once; the GET is idempotent).
  async function fetchAgain(route) {
    try {
      return await route.fetch({ maxRedirects: 0 });
    } catch (e) {
      if (!/socket hang up|ECONNRESET/.test(String(e && e.message))) throw e;
      stats.refetched++;
      return await route.fetch({ maxRedirects: 0 });
    }
  }

  async function openPage() {
    const page = await context.newPage();
    // The app's own assets are not routed (only counted); everything
    // else is, and all but the article page itself is aborted.
    const isStatic = (u) => u.origin === BASE && u.pathname.startsWith('/static/');
    page.on('request', (req) => {
      try { if (isStatic(new URL(req.url()))) stats.staticAssets++; } catch { /* not a URL */ }
    });
    await page.route((u) => !isStatic(u), async (route) => {
      const req = route.request();
      const url = req.url();
      const v = current;
      if (v && url === v.url && req.isNavigationRequest() && req.frame() === page.mainFrame()) {
        const response = await fetchAgain(route);
        let body = await response.text();
        const at = body.indexOf(BODY_OPEN);
        const inPage = at >= 0 && body.startsWith(v.stored + BODY_CLOSE, at + BODY_OPEN.length);
        if (response.status() !== 200 || !inPage || body.includes('class="paywall"')) {
          note('not-full', `status ${response.status()}: the page does not carry the stored body in full`);
        } else if (SELF_TEST) {
          const from = at + BODY_OPEN.length;
          body = body.slice(0, from) + v.raw + body.slice(from + v.stored.length);
        }
        v.images = imageUrls(body, url);
        await route.fulfill({ response, body });
        return;
      }
      let u = null;
      try { u = new URL(url); } catch { /* not a URL */ }
      const type = req.resourceType();
      const key = norm(url);
      if (type === 'image' && ((v && v.images && v.images.has(key)) || previousImages.has(key))) stats.passiveImages++;
      else if (type === 'document' && req.frame() !== page.mainFrame() && u && EMBED_HOSTS.has(u.hostname)) stats.embeds++;
      else note('request', `${type} ${url}`);
      aborted.add(key);
      await route.abort().catch(() => {});
    });
    page.on('dialog', async (d) => { note('dialog', `${d.type()} ${d.message()}`); await d.dismiss().catch(() => {}); });
    // The browser's own report of a request we aborted is not page output.
    page.on('console', (m) => {
      if (m.text().startsWith('Failed to load resource') && aborted.has(norm(m.location().url))) return;
      note('console', `${m.type()} ${m.text()}`);
    });
    page.on('pageerror', (e) => note('pageerror', e.message));
    page.on('popup', (p) => note('popup', p.url()));
    page.on('download', (d) => note('download', d.url()));
    page.on('websocket', (w) => note('websocket', w.url()));
    page.on('crash', () => note('crash', 'the page crashed'));
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame() && current && f.url() !== current.url) note('navigation', f.url());
    });
    return page;
  }

  let page = await openPage();
  for (const v of queue) {
    previousImages = current && current.images ? current.images : new Set();
    current = v;
    if (++stats.pageLoads % 250 === 0) console.error(`[${seconds()} s] ${stats.pageLoads} pages loaded`);
    try {
      await page.goto(v.url, { waitUntil: 'load', timeout: SELF_TEST ? 5000 : 15000 });
      // Fire the events that inline handlers and attribute tricks listen to.
      await within(page.evaluate(() => {
        const kinds = ['mouseover', 'mouseenter', 'mousemove', 'focus', 'blur', 'load', 'error',
          'animationstart', 'animationend', 'transitionend', 'toggle', 'input', 'change', 'scroll',
          'wheel', 'pointerover', 'pointerenter'];
        for (const el of document.querySelectorAll('.article-body *, .lead-image *')) {
          for (const k of kinds) el.dispatchEvent(new Event(k, { bubbles: true }));
          if (typeof el.focus === 'function') el.focus();
        }
        window.scrollTo(0, document.body.scrollHeight);
      }), 5000);
      await page.waitForTimeout(SETTLE_MS);
      for (const f of page.frames()) {
        const events = await within(f.evaluate(() => window.__events || []), 5000).catch(() => []);
        for (const e of events) note(e.kind, e.detail);
      }
    } catch (e) {
      // Only active content can take the page away from under us.
      note('page-lost', e.message.split('\n')[0]);
      const lost = page;
      page = await openPage();
      lost.close({ runBeforeUnload: false }).catch(() => {});
    }
  }
  current = null;
  await page.close().catch(() => {});
}

// A page opened by a page (our workers' pages have no opener).
context.on('page', async (p) => {
  if (await p.opener()) findings.push({ vector: null, kind: 'new-page', detail: p.url() });
});
const queues = Array.from({ length: PAGES }, () => []);
vectors.forEach((v, i) => queues[i % PAGES].push(v));
const browseStart = Date.now();
await Promise.all(queues.map(worker));
const browseSeconds = (Date.now() - browseStart) / 1000;
await context.close();
stopServer();

const rowsWithFindings = new Set(findings.map((f) => (f.vector ? f.vector.index : -1)));
const summary = {
  mode: SELF_TEST ? 'self-test (raw inputs in the article page)' : 'sanitised, through ingest',
  vectors: rows.length,
  articles: ingested.length,
  publishers: feeds.length,
  page_loads: stats.pageLoads,
  pages_in_parallel: PAGES,
  static_asset_requests: stats.staticAssets,
  passive_image_requests_aborted: stats.passiveImages,
  allow_listed_embed_requests_aborted: stats.embeds,
  article_pages_fetched_again_after_a_reset: stats.refetched,
  stored_bodies_resanitised: stable.rows,
  not_idempotent: stable.unstable,
  findings: findings.length,
  vectors_with_findings: rowsWithFindings.size,
  browse_seconds: Number(browseSeconds.toFixed(1)),
  total_seconds: Number(seconds()),
};
console.log(JSON.stringify(summary));
for (const f of findings) {
  const where = f.vector ? `${f.vector.id} (row ${f.vector.index}, ${f.vector.url})` : '-';
  console.log(`FINDING ${f.kind} ${where}: ${f.detail}`);
}
for (const id of stable.ids || []) console.log(`NOT-IDEMPOTENT article ${id}`);
process.exit(findings.length || stable.unstable ? 1 : 0);
