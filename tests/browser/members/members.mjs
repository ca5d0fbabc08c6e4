// members.mjs — accounts in headless Chromium (issue 6, acceptance 3).
//
//   node members.mjs BASE_URL DATA_DIR NEWSSTAND_BIN PROFILE_DIR
//
// A visitor signs up, starts the free trial, reads a whole article (text
// past the teaser visible), saves it, follows a topic and sees it in For
// you, signs out and sees the teaser again. An editor (made with
// `newsstand user add --role editor` by run) picks an article and it shows
// in Our Picks on the front page at once, for members and visitors. A
// publisher user (made here with `user add --role publisher --publisher`)
// sees its statement with the SVG chart of the reads. The forms explain
// bad input: a taken email, a short password, a wrong password.
// The database is read (sqlite3 CLI) only to know which text lies past an
// article's teaser.
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const [, , BASE, DATA, BIN, PROFILE] = process.argv;
const DB = `${DATA}/newsstand.db`;
const EMAIL = 'reader@example.com';
const PASSWORD = 'a long enough password';
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

// Sentences of the body that are not in the teaser.
function hiddenSentences(id) {
  const [row] = sql(`SELECT body_text, teaser_text FROM articles WHERE id = ${Number(id)}`);
  const teaser = (row.teaser_text || '').replace(/\s+/g, ' ');
  return (row.body_text || '')
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 40 && !teaser.includes(s.slice(0, 40)));
}

const context = await chromium.launchPersistentContext(PROFILE, {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
});
const cspViolations = [];

async function newPage() {
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return page;
}

// Submits a form without the browser's own checks, so the server's
// messages are what the reader sees.
async function submit(page, formSelector, fields) {
  await page.$eval(formSelector, (f) => { f.noValidate = true; });
  for (const [name, value] of Object.entries(fields)) {
    await page.fill(`${formSelector} [name="${name}"]`, value);
  }
  await Promise.all([
    page.waitForNavigation(),
    page.click(`${formSelector} button[type=submit]`),
  ]);
}

async function bodyText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

try {
  const page = await newPage();

  // ---- A visitor finds an article with text to protect -------------------
  await page.goto(`${BASE}/`);
  const hrefs = await page.$$eval('main a[href^="/a/"]', (as) => as.map((a) => a.getAttribute('href')));
  let articleHref = null;
  let hidden = [];
  for (const h of hrefs) {
    const id = Number(h.match(/^\/a\/(\d+)/)[1]);
    const hs = hiddenSentences(id);
    if (hs.length >= 2) {
      articleHref = h;
      hidden = hs;
      break;
    }
  }
  check(Boolean(articleHref), `an article with text past its teaser (${articleHref})`);
  const articleId = Number(articleHref.match(/^\/a\/(\d+)/)[1]);
  const probe = hidden[hidden.length - 1].slice(0, 60);
  await page.goto(`${BASE}${articleHref}`);
  check(!(await page.content()).includes(probe), 'a visitor sees no text past the teaser');

  // ---- Sign up: clear errors, then an account ----------------------------
  await page.click('.paywall a.button');
  check(page.url().startsWith(`${BASE}/signup`), 'the paywall leads to sign-up');
  await submit(page, 'form[action="/signup"]', { email: EMAIL, password: 'short' });
  check((await bodyText(page)).includes('at least 10 characters'),
    'a short password is refused with a clear message');
  await submit(page, 'form[action="/signup"]', { email: EMAIL, password: PASSWORD });
  check(new URL(page.url()).pathname === '/onboarding', 'sign-up signs in and goes to onboarding');
  const cookies = await context.cookies(BASE);
  const session = cookies.find((c) => c.name === 'session');
  check(session && session.httpOnly && session.sameSite === 'Lax',
    'the session cookie is HttpOnly and SameSite=Lax');

  // ---- The free trial and the whole article -------------------------------
  await page.goto(`${BASE}/account`);
  await Promise.all([page.waitForNavigation(),
    page.click('form[action="/account/trial"] button')]);
  check((await bodyText(page)).includes('Free trial until'), 'the free trial runs');
  const after = (await context.cookies(BASE)).find((c) => c.name === 'session');
  check(after && after.value !== session.value, 'a new session token when the trial starts');
  await page.goto(`${BASE}${articleHref}`);
  const full = await bodyText(page);
  check(hidden.every((s) => full.includes(s.slice(0, 60))),
    `the member reads the whole article (${hidden.length} sentences past the teaser visible)`);
  check(await page.locator('.paywall').count() === 0, 'no sign-up prompt for the member');

  // ---- Save it ----------------------------------------------------------
  await Promise.all([page.waitForNavigation(), page.click('form[action="/save"] button')]);
  check(await page.locator('form[action="/unsave"] button', { hasText: 'Saved' }).count() === 1,
    'the article shows as saved');
  await page.goto(`${BASE}/saved`);
  check(await page.locator(`main a[href="${articleHref}"]`).count() > 0, 'Saved lists the article');

  // ---- Follow a topic and see it in For you --------------------------------
  const [{ slug: topicSlug, name: topicName }] = sql(`SELECT t.slug, t.name FROM topics t
    JOIN article_topics at ON at.topic_id = t.id GROUP BY t.id ORDER BY count(*) DESC LIMIT 1`);
  await page.goto(`${BASE}/t/${topicSlug}`);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/follow"] button')]);
  check(await page.locator('form[action="/unfollow"] button', { hasText: 'Following' }).count() === 1,
    `following the topic ${topicName}`);
  await page.goto(`${BASE}/`);
  const forYou = page.locator('section.for-you');
  check(await forYou.locator(`a[href="/t/${topicSlug}"]`).count() === 1,
    'the front page shows the followed topic in For you');
  check(await forYou.locator('a[href^="/a/"]').count() > 0, 'For you on the front page lists articles');
  await page.goto(`${BASE}/for-you`);
  const forYouIds = await page.$$eval('main a[href^="/a/"]',
    (as) => as.map((a) => Number(a.getAttribute('href').match(/^\/a\/(\d+)/)[1])));
  const inTopic = forYouIds.length ? sql(`SELECT count(DISTINCT a.article_id) AS n FROM article_topics a
    JOIN topics t ON t.id = a.topic_id WHERE t.slug = '${topicSlug}'
    AND a.article_id IN (${forYouIds.join(',')})`)[0].n : 0;
  check(forYouIds.length > 0 && inTopic === new Set(forYouIds).size,
    `For you lists ${forYouIds.length} articles, all in ${topicName}`);

  // ---- Sign out: the teaser again -----------------------------------------
  await Promise.all([page.waitForNavigation(), page.click('header.site form[action="/signout"] button')]);
  check(!(await context.cookies(BASE)).some((c) => c.name === 'session' && c.value),
    'signing out clears the cookie');
  await page.goto(`${BASE}${articleHref}`);
  check(!(await page.content()).includes(probe), 'after signing out only the teaser shows');
  check(await page.locator('.paywall').isVisible(), 'the sign-up prompt is back');

  // ---- More form errors ------------------------------------------------------
  await page.goto(`${BASE}/signup`);
  await submit(page, 'form[action="/signup"]', { email: EMAIL.toUpperCase(), password: PASSWORD });
  check((await bodyText(page)).includes('already exists'), 'a taken email is refused clearly');
  await page.goto(`${BASE}/signin`);
  await submit(page, 'form[action="/signin"]', { email: EMAIL, password: 'not the password' });
  check((await bodyText(page)).includes('do not match'), 'a wrong password is refused clearly');
  check(await page.locator('.form-error[role=alert]').count() === 1, 'errors are announced (role=alert)');

  // ---- An editor picks an article ------------------------------------------
  const [pick] = sql(`SELECT id, title FROM articles WHERE id NOT IN (SELECT article_id FROM picks)
    AND id <> ${articleId} ORDER BY published_at DESC LIMIT 1`);
  await page.goto(`${BASE}/signin`);
  await submit(page, 'form[action="/signin"]', { email: 'editor@example.com', password: 'editor password 1' });
  await page.goto(`${BASE}/editor/picks`);
  check(await page.locator('h1', { hasText: 'Our Picks' }).count() === 1, 'the editor opens the picks page');
  await submit(page, 'form.account-form[action="/editor/picks"]', { article: String(pick.id), position: '0' });
  await page.goto(`${BASE}/`);
  check(await page.locator('section.picks a', { hasText: pick.title }).count() > 0,
    `the pick "${pick.title}" shows in Our Picks for the editor`);
  const visitor = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const vpage = await visitor.newPage();
  await vpage.goto(`${BASE}/`);
  check(await vpage.locator('section.picks a', { hasText: pick.title }).count() > 0,
    'and at once for a visitor (the page cache was refreshed)');
  await visitor.close();
  await Promise.all([page.waitForNavigation(), page.click('header.site form[action="/signout"] button')]);

  // ---- A publisher reads its statement ---------------------------------------
  const [pub] = sql(`SELECT p.slug, p.name FROM publishers p JOIN articles a ON a.publisher_id = p.id
    WHERE a.id = ${articleId}`);
  execFileSync(BIN, ['user', 'add', 'desk@example.com', '--role', 'publisher', '--publisher', pub.slug,
    '--data-dir', DATA], { input: 'publisher password\n', encoding: 'utf8' });
  await page.goto(`${BASE}/signin`);
  await submit(page, 'form[action="/signin"]', { email: 'desk@example.com', password: 'publisher password' });
  await page.goto(`${BASE}/publisher/statement`);
  const statement = await bodyText(page);
  check(statement.includes(pub.name), `the statement is ${pub.name}'s`);
  check(await page.locator('main svg').count() === 1, 'the statement has an SVG chart');
  check(await page.locator('main svg rect').count() > 0, 'the chart has bars for the reads');
  check(await page.locator('main table').count() > 0, 'the reads are also in a table');
  await page.goto(`${BASE}/editor/picks`);
  check((await bodyText(page)).includes('another kind of account'), 'the publisher may not edit picks');
  check(cspViolations.length === 0, `no CSP violations (${cspViolations.join('; ')})`);
} catch (err) {
  failures++;
  console.log(`FAIL ${err.stack || err}`);
} finally {
  await context.close();
}

console.log(`members browser tests: ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
