// check.mjs — loads sanitised corpus vectors in Chromium and records every
// sign of active content: dialogs (alert, confirm, prompt, print), console
// output, fetch / XHR / WebSocket / EventSource / beacons, window.open,
// navigations, popups, and every network request other than the page
// itself (all aborted by route interception).
//
// Expected: no execution and no request, except image loads of URLs that
// appear in an <img src|srcset> / <source srcset> of the sanitised output
// and the allow-listed video players' iframes; those are counted and
// aborted, and reported separately.
//
//   node check.mjs sanitised.json PROFILE_DIR
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [, , listPath, profileDir] = process.argv;
const vectors = JSON.parse(readFileSync(listPath, 'utf8'));
const BATCH = 50;
const ORIGIN = 'http://sanitizer.test';
const EMBED_HOSTS = new Set([
  'www.youtube.com', 'youtube.com', 'www.youtube-nocookie.com',
  'youtube-nocookie.com', 'player.vimeo.com', 'www.dailymotion.com',
  'open.spotify.com', 'w.soundcloud.com', 'embed.ted.com',
]);

const hooks = () => {
  const record = (kind, detail) => {
    (window.top.__events ||= []).push({ kind, detail: String(detail).slice(0, 200) });
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

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function page_html(batch) {
  const parts = batch.map((v) => `<section data-id="${escapeHtml(v.id)}">${v.html}</section>`);
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>sanitised vectors</title></head>` +
    `<body><main>${parts.join('\n')}</main></body></html>`;
}

function norm(u) {
  // Requests carry no fragment.
  try { const x = new URL(u, ORIGIN); x.hash = ''; return x.href; } catch { return u; }
}

// URLs a browser may fetch as passive images from our output.
function image_urls(html) {
  const urls = new Set();
  for (const m of html.matchAll(/<(?:img|source)\b[^>]*>/g)) {
    const tag = m[0];
    const src = /\ssrc="([^"]*)"/.exec(tag);
    if (src) urls.add(norm(src[1].replace(/&amp;/g, '&')));
    const set = /\ssrcset="([^"]*)"/.exec(tag);
    if (set) {
      for (const c of set[1].replace(/&amp;/g, '&').split(', ')) urls.add(norm(c.trim().split(/\s+/)[0]));
    }
  }
  return urls;
}

mkdirSync(profileDir, { recursive: true });
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
await context.addInitScript(hooks);

const findings = [];
let passiveImages = 0;
let embeds = 0;

for (let i = 0; i < vectors.length; i += BATCH) {
  const batch = vectors.slice(i, i + BATCH);
  const url = `${ORIGIN}/batch-${i / BATCH}.html`;
  const html = page_html(batch);
  const images = image_urls(html);
  const page = await context.newPage();
  const aborted = new Set();
  const note = (kind, detail) => findings.push({ batch: url, kind, detail: String(detail).slice(0, 200) });

  await page.route('**/*', async (route) => {
    const req = route.request();
    if (req.url() === url) {
      await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      return;
    }
    const type = req.resourceType();
    let host = '';
    try { host = new URL(req.url()).hostname; } catch { /* not a URL */ }
    if (type === 'image' && images.has(req.url())) passiveImages++;
    else if (type === 'document' && req.frame() !== page.mainFrame() && EMBED_HOSTS.has(host)) embeds++;
    else note('request', `${type} ${req.url()}`);
    aborted.add(norm(req.url()));
    await route.abort();
  });
  page.on('dialog', async (d) => { note('dialog', `${d.type()} ${d.message()}`); await d.dismiss(); });
  // The browser's own report of a request we aborted is not page output.
  page.on('console', (m) => {
    if (m.text().startsWith('Failed to load resource') && aborted.has(norm(m.location().url))) return;
    note('console', `${m.type()} ${m.text()}`);
  });
  page.on('popup', (p) => note('popup', p.url()));
  page.on('pageerror', (e) => note('pageerror', e.message));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame() && f.url() !== url) note('navigation', f.url());
  });

  try {
    await page.goto(url, { waitUntil: 'load', timeout: 15000 });
    // Fire the events that inline handlers and attribute tricks listen to.
    await page.evaluate(() => {
      const kinds = ['mouseover', 'mouseenter', 'mousemove', 'focus', 'blur', 'load', 'error',
        'animationstart', 'transitionend', 'toggle', 'input', 'change', 'scroll', 'wheel'];
      for (const el of document.querySelectorAll('main *')) {
        for (const k of kinds) el.dispatchEvent(new Event(k, { bubbles: true }));
        if (typeof el.focus === 'function') el.focus();
      }
      window.scrollTo(0, document.body.scrollHeight);
    });
    await page.waitForTimeout(300);
    const events = await page.evaluate(() => window.__events || []);
    for (const e of events) note(e.kind, e.detail);
  } catch (e) {
    // Only active content can take the page away from under us.
    note('page-lost', e.message.split('\n')[0]);
  }
  await page.close().catch(() => {});
}
await context.close();

const summary = {
  vectors: vectors.length,
  batches: Math.ceil(vectors.length / BATCH),
  passive_image_requests_aborted: passiveImages,
  allow_listed_embed_requests_aborted: embeds,
  findings: findings.length,
};
console.log(JSON.stringify(summary));
for (const f of findings) console.log(`FINDING ${f.kind} ${f.batch}: ${f.detail}`);
process.exit(findings.length ? 1 : 0);
