// app.mjs — the reading app in headless Chromium, as a visitor.
//
//   node app.mjs BASE_URL DATABASE PROFILE_DIR [SCREENSHOT_DIR]
//
// Checks: the front page shows top stories from several publishers; an
// article page shows the teaser and the sign-up prompt and no text past the
// teaser anywhere in the DOM; Related Stories link to other publishers'
// coverage of the same story; search finds an article by a word of its body;
// no horizontal scroll at 375×667; dark mode changes the colours; every page
// works with JavaScript disabled; no page breaks the Content-Security-Policy.
// The database is read (sqlite3 CLI) only to know what the server must NOT
// send: the article's text past its teaser.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [, , BASE, DB, PROFILE, SHOTS] = process.argv;
const PHONE = { width: 375, height: 667 };
const DESKTOP = { width: 1280, height: 800 };
let failures = 0;
let passes = 0;

function check(cond, what) {
  if (cond) {
    passes++;
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

function sql(query) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', DB, query], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

// Sentences of the body that are not in the teaser (what must never show).
function hiddenSentences(id) {
  const [row] = sql(`SELECT body_text, teaser_text FROM articles WHERE id = ${Number(id)}`);
  const teaser = (row.teaser_text || '').replace(/\s+/g, ' ');
  return (row.body_text || '')
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 40 && !teaser.includes(s.slice(0, 40)));
}

function wordsOf(sentences) {
  const words = sentences.join(' ').toLowerCase().match(/[a-z]{8,}/g) || [];
  return [...new Set(words)];
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  // Each launch gets a fresh temporary profile; PROFILE holds downloads.
  downloadsPath: PROFILE,
});

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const page = await context.newPage();
  page.cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) page.cspViolations.push(msg.text());
  });
  return page;
}

async function noHorizontalScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}

try {
  const page = await newPage();

  // ---- Front page -------------------------------------------------------
  const front = await page.goto(`${BASE}/`);
  check(front.status() === 200, 'front page answers 200');
  const topPublishers = await page.$$eval('section.top .stories .publisher span',
    (els) => [...new Set(els.map((e) => e.textContent.trim()))]);
  check(topPublishers.length >= 3, `top stories come from ${topPublishers.length} publishers`);
  check(await page.locator('section.top .coverage').count() > 0,
    'top stories show how many publishers cover them');
  check(await page.getByRole('heading', { name: 'Our Picks' }).count() === 1, 'Our Picks shown');

  // The lead of a story covered by several publishers.
  const storyHref = await page.$eval('section.top .coverage a', (a) => a.getAttribute('href'));
  const storyId = Number(storyHref.split('/').pop());
  const leadHref = await page.$eval('section.top .stories li:has(.coverage) h3 a',
    (a) => a.getAttribute('href'));
  const articleId = Number(leadHref.match(/^\/a\/(\d+)/)[1]);

  // ---- Article page -----------------------------------------------------
  const hidden = hiddenSentences(articleId);
  check(hidden.length > 0, `article ${articleId} has text past its teaser to protect`);
  const art = await page.goto(`${BASE}${leadHref}`);
  check(art.status() === 200, 'article page answers 200');
  check(await page.locator('.article-body p').count() > 0, 'teaser paragraphs shown');
  check(await page.getByRole('heading', { name: 'Sign up to read this article' }).isVisible(),
    'sign-up prompt visible');
  check(await page.getByRole('link', { name: 'Sign in here' }).isVisible(), 'sign-in link visible');
  check(await page.getByRole('link', { name: /Read at the publisher/ }).count() === 1,
    'link to the publisher');
  const dom = await page.content();
  const leaked = hidden.filter((s) => dom.includes(s.slice(0, 60)));
  check(leaked.length === 0, `no text past the teaser in the DOM (${hidden.length} sentences checked)`);

  // Related stories: other publishers' coverage of the same story.
  const myPublisher = sql(`SELECT publisher_id FROM articles WHERE id = ${articleId}`)[0].publisher_id;
  const related = await page.$$eval('section[aria-labelledby=related] h3 a',
    (as) => as.map((a) => a.getAttribute('href')));
  const relatedIds = related.map((h) => Number(h.match(/^\/a\/(\d+)/)[1]));
  const sameStoryOthers = relatedIds.length
    ? sql(`SELECT count(*) AS n FROM articles WHERE id IN (${relatedIds.join(',')})
           AND story_id = ${storyId} AND publisher_id <> ${myPublisher}`)[0].n
    : 0;
  check(sameStoryOthers >= 1,
    `Related Stories link to ${sameStoryOthers} other publishers' articles of story ${storyId}`);
  await shot(page, 'article-desktop');

  // ---- Search by a word of the body --------------------------------------
  const [visible] = sql(`SELECT lower(title || ' ' || coalesce(teaser_text, '')) AS t
                         FROM articles WHERE id = ${articleId}`);
  const [word] = wordsOf(hidden).filter((w) => {
    if (visible.t.includes(w)) return false;
    const n = sql(`SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH '"${w}"'`)[0].n;
    return n >= 1 && n <= 5;
  });
  check(Boolean(word), `a body-only word to search for (${word})`);
  await page.goto(`${BASE}/`);
  await page.fill('header.site input[name=q]', word);
  await Promise.all([page.waitForURL(/\/search\?/), page.press('header.site input[name=q]', 'Enter')]);
  const resultLinks = await page.$$eval('ol.results h2 a', (as) => as.map((a) => a.getAttribute('href')));
  check(resultLinks.some((h) => h.startsWith(`/a/${articleId}-`)),
    `search for "${word}" finds article ${articleId}`);
  const searchDom = await page.content();
  check(!hidden.some((s) => searchDom.includes(s.slice(0, 60))), 'search snippets show no hidden text');
  await shot(page, 'search-desktop');
  await page.goto(`${BASE}/`);
  await shot(page, 'front-desktop');
  check(page.cspViolations.length === 0, `no CSP violations (${page.cspViolations.join('; ')})`);

  // ---- Phone: no horizontal scroll ---------------------------------------
  const phone = await newPage({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  for (const [name, path] of [['front', '/'], ['article', leadHref],
    ['search', `/search?q=${encodeURIComponent(word)}`], ['publishers', '/publishers'],
    ['story', storyHref], ['missing', '/no/such/page']]) {
    await phone.goto(`${BASE}${path}`);
    check(await noHorizontalScroll(phone), `no horizontal scroll at 375×667 on ${name}`);
    if (['front', 'article', 'search'].includes(name)) await shot(phone, `${name}-phone`);
  }

  // ---- Dark mode --------------------------------------------------------
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(light !== dark, `dark mode changes the background (${light} → ${dark})`);
  await page.emulateMedia({ colorScheme: 'light' });

  // ---- JavaScript disabled ----------------------------------------------
  const nojs = await newPage({ javaScriptEnabled: false });
  for (const path of ['/', leadHref, storyHref, '/publishers', '/topics', '/t/world',
    '/p/harbour-herald', `/search?q=${encodeURIComponent(word)}`]) {
    const r = await nojs.goto(`${BASE}${path}`);
    const mainText = await nojs.locator('main').innerText();
    check(r.status() === 200 && mainText.length > 100, `without JavaScript ${path} works`);
  }
  await nojs.goto(`${BASE}/`);
  await nojs.fill('header.site input[name=q]', word);
  await Promise.all([nojs.waitForURL(/\/search\?/), nojs.click('header.site button[type=submit]')]);
  check(await nojs.locator('ol.results li').count() > 0, 'search form submits without JavaScript');

  // ---- Keyboard: skip link and visible focus ------------------------------
  await page.goto(`${BASE}/`);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { text: el.textContent.trim(), outline: style.outlineStyle };
  });
  check(focused.text === 'Skip to content' && focused.outline !== 'none',
    'first Tab focuses a visible skip link');
} catch (err) {
  failures++;
  console.log(`FAIL ${err.stack || err}`);
} finally {
  await browser.close();
}

console.log(`app browser tests: ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
