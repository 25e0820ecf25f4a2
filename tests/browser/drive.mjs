// Drives Debian's chromium with playwright-core through one scenario on the
// pages a test server serves, and prints what it saw as one JSON object. The
// Python tests (test_pages.py) compare that with the API's own answers.
//
//   node drive.mjs '{"scenario": "dashboard", "base": "http://127.0.0.1:PORT",
//                    "chromium": "/usr/bin/chromium", "artifacts": "DIR", ...}'
//
// Scenario `story:<name>` runs the story module stories/<name>.mjs (the
// stories of the pages, test_stories_*.py) with the helpers of stories/helpers.mjs.
//
// Every request that would leave the loopback interface is refused and listed
// (and the browser resolves no host name but 127.0.0.1), so a page that works
// here works without internet.
import { createRequire } from 'node:module';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(new URL('../../frontend/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const job = JSON.parse(process.argv[2]);
const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const PANELS = ['countries', 'continents', 'sectors', 'kinds', 'trend', 'crosstab'];
const OPERATIONS = ['DashboardOverview', 'DashboardTrend', 'DashboardCrossTab'];
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

async function withBrowser(run) {
  const profile = await mkdtemp(path.join(tmpdir(), 'memberdir-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: job.chromium,
    headless: true,
    acceptDownloads: true,
    viewport: LAPTOP,
    args: CHROMIUM_ARGS,
  });
  const seen = { blocked: [], pageErrors: [], consoleErrors: [], cspViolations: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).hostname === '127.0.0.1') return route.continue();
    seen.blocked.push(url);
    return route.abort('blockedbyclient');
  });
  // Collects the page's Content-Security-Policy violations, if any.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => seen.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(message.text());
  });
  try {
    const result = await run(page, context);
    seen.cspViolations = await page.evaluate(() => window.__cspViolations);
    return { ...result, ...seen };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

function artifact(name) {
  return path.join(job.artifacts, name);
}

/** Waits for every panel of the dashboard to have settled (ready or error). */
async function settled(page) {
  await page.waitForFunction(
    (panels) => panels.every((id) => {
      const panel = document.querySelector(`[data-panel="${id}"]`);
      return panel && panel.dataset.state !== 'loading';
    }),
    PANELS,
  );
}

/** Does `action` and waits for the dashboard queries it sets off to be answered and shown. */
async function requery(page, action, operations = OPERATIONS) {
  const answered = operations.map((operation) =>
    page.waitForResponse((response) =>
      response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes(operation)),
  );
  await action();
  await Promise.all(answered);
  await settled(page);
}

/** Everything the dashboard shows, as numbers keyed like the API's buckets. */
function readDashboard(page) {
  return page.evaluate(() => {
    const bars = (id) => Object.fromEntries(
      [...document.querySelectorAll(`[data-table="${id}"] tbody tr[data-key]`)].map((row) => [
        row.dataset.key, Number(row.querySelector('.count').textContent),
      ]),
    );
    const panel = (id) => {
      const element = document.querySelector(`[data-panel="${id}"]`);
      return { state: element.dataset.state, error: element.querySelector('.panel-error')?.textContent ?? null };
    };
    const trend = Object.fromEntries(
      [...document.querySelectorAll('[data-table="trend"] tbody tr[data-key]')].map((row) => [
        row.dataset.key,
        Object.fromEntries([...row.querySelectorAll('td[data-field]')].map((cell) => [
          cell.dataset.field, Number(cell.textContent),
        ])),
      ]),
    );
    const crossTab = Object.fromEntries(
      [...document.querySelectorAll('[data-table="crosstab"] tbody tr[data-key]')].map((row) => [
        row.dataset.key,
        Object.fromEntries([...row.querySelectorAll('td[data-key]')].map((cell) => [
          cell.dataset.key, Number(cell.textContent),
        ])),
      ]),
    );
    const map = Object.fromEntries(
      [...document.querySelectorAll('.map path[data-country]')].map((shape) => [
        shape.dataset.country, Number(shape.dataset.count),
      ]),
    );
    const total = document.querySelector('[data-total]');
    return {
      total: total ? Number(total.textContent) : null,
      byCountry: bars('byCountry'),
      byContinent: bars('byContinent'),
      bySector: bars('bySector'),
      byKind: bars('byKind'),
      map,
      trend,
      crossTab,
      panels: Object.fromEntries(['countries', 'trend', 'crosstab'].map((id) => [id, panel(id)])),
    };
  });
}

/** Presses Tab until the element matching `selector` has the focus; false if it never does. */
async function tabTo(page, selector, presses = 60) {
  for (let i = 0; i < presses; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
    await page.keyboard.press('Tab');
  }
  return false;
}

/** Everything the page keeps in browser storage, as one string to search. */
function storedByPage(page) {
  return page.evaluate(async () => {
    const parts = [document.cookie];
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i += 1) parts.push(storage.key(i), storage.getItem(storage.key(i)));
    }
    for (const { name } of await indexedDB.databases()) parts.push(`indexedDB:${name}`);
    for (const name of await caches.keys()) parts.push(`cache:${name}`);
    return parts.join('\n');
  });
}

const scenarios = {
  /** Loads the dashboard, reads it, changes a filter by keyboard, reads it again, then a phone width. */
  async dashboard(page) {
    await requery(page, () => page.goto(`${job.base}/dashboard`));
    const before = await readDashboard(page);
    await page.screenshot({ path: artifact('dashboard-laptop.png'), fullPage: true });

    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button')]
        .filter((e) => !e.labels?.length && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map((e) => e.outerHTML));

    // A keyboard user: into the filters, to the continent checkbox, Space.
    await page.focus('input[name="search"]');
    const reached = await tabTo(page, `input[name="continents"][value="${job.continent}"]`);
    await requery(page, () => page.keyboard.press('Space'));
    const after = await readDashboard(page);

    await page.setViewportSize(PHONE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: artifact('dashboard-phone.png'), fullPage: true });
    return { before, after, unlabelled, keyboardReachedFilter: reached, phoneOverflowPixels: overflow };
  },

  /** Downloads the cross-tab's CSV for job.by / job.thenBy and job.continent. */
  async download(page) {
    const exports = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/export/')) {
        exports.push({ url: request.url(), authorization: request.headers().authorization ?? null });
      }
    });
    await requery(page, () => page.goto(`${job.base}/dashboard`));
    if (job.apiKey) {
      await page.fill('input[name="apiKey"]', job.apiKey);
      await requery(page, () => page.click('button:text("Use key")'));
    }
    await requery(page, () => page.check(`input[name="continents"][value="${job.continent}"]`));
    for (const [name, value] of [['by', job.by], ['thenBy', job.thenBy ?? '']]) {
      if ((await page.inputValue(`select[name="${name}"]`)) !== value) {
        await requery(page, () => page.selectOption(`select[name="${name}"]`, value), ['DashboardCrossTab']);
      }
    }
    // Either the browser gets a file, or the page shows why not.
    const refused = page.waitForSelector('[data-panel="crosstab"] .actions .panel-error').then(
      async (element) => ({ refusal: await element.textContent() }),
    );
    const [outcome] = await Promise.all([
      Promise.race([page.waitForEvent('download').then((download) => ({ download })), refused]),
      page.click('button:text("Download CSV")'),
    ]);
    if (!outcome.download) return { refusal: outcome.refusal, exports };
    const { download } = outcome;
    const saved = artifact(download.suggestedFilename());
    await download.saveAs(saved);
    const body = (await readFile(saved)).toString('base64');
    return { refusal: null, filename: download.suggestedFilename(), bodyBase64: body, exports };
  },

  /** Pastes an API key: every API request carries it, and no browser storage keeps it. */
  async credential(page) {
    const sent = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/graphql') sent.push(request.headers().authorization ?? null);
    });
    await requery(page, () => page.goto(`${job.base}/dashboard`));
    const anonymous = sent.splice(0);
    await page.fill('input[name="apiKey"]', job.apiKey);
    await requery(page, () => page.click('button:text("Use key")'));
    const withKey = sent.splice(0);
    const viewer = await page.getAttribute('[data-viewer]', 'data-viewer');
    const keyFieldAfterUse = await page.inputValue('input[name="apiKey"]');
    const stored = await storedByPage(page);
    await requery(page, () => page.reload());
    const afterReload = sent.splice(0);
    return {
      anonymous, withKey, viewer, keyFieldAfterUse, afterReload,
      keyInStorage: stored.includes(job.apiKey),
    };
  },

  /** Signs in with the issuer (in a pop-up): the API requests then carry its access token. */
  async signIn(page, context) {
    const sent = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/graphql') sent.push(request.headers().authorization ?? null);
    });
    await requery(page, () => page.goto(`${job.base}/dashboard`));
    const anonymous = sent.splice(0);
    const popup = context.waitForEvent('page');
    await requery(page, () => page.click('button:text("Sign in")'));
    const popupUrl = (await popup).url();
    const signedIn = sent.splice(0);
    const viewer = await page.getAttribute('[data-viewer]', 'data-viewer');
    const stored = await storedByPage(page);
    const panels = await readDashboard(page);
    return {
      anonymous, signedIn, viewer, popupUrl, stored, countriesState: panels.panels.countries.state,
    };
  },

  /** Opens GraphiQL, runs its example query, types a header, checks storage. */
  async graphiql(page) {
    const response = await page.goto(`${job.base}/graphql`);
    const status = response.status();
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .monaco-editor');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().method() === 'POST'
        && (r.request().postData() ?? '').includes('Overview')),
      page.click('.graphiql-execute-button'),
    ]);
    const answered = await answer.json();
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent.includes('membershipStats'));
    const resultText = await page.textContent('.result-window');

    // A key typed into the Headers pane must not outlive the tab.
    await page.click('button:text("Headers")');
    await page.click('.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]');
    await page.keyboard.type(`{"X-API-Key": "${job.secret}"`);
    // Then edit the query: once that edit is in storage, GraphiQL has saved
    // its state since the header was typed.
    await page.click('.graphiql-query-editor .monaco-editor');
    await page.keyboard.press('Control+End');
    await page.keyboard.type(`\n# ${job.marker}`);
    await page.waitForFunction((marker) => {
      for (let i = 0; i < localStorage.length; i += 1) {
        if (localStorage.getItem(localStorage.key(i)).includes(marker)) return true;
      }
      return false;
    }, job.marker);
    const typed = (await page.textContent('.graphiql-editor-tool')).includes(job.secret);
    const stored = await storedByPage(page);
    await page.screenshot({ path: artifact('graphiql.png') });
    await page.reload();
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .monaco-editor');
    const storedAfterReload = await storedByPage(page);
    return {
      status, answered, resultText, headerTyped: typed,
      secretInStorage: stored.includes(job.secret) || storedAfterReload.includes(job.secret),
      storageKeys: stored.split('\n').filter((line) => line.startsWith('graphiql')),
    };
  },
};

/**
 * `story:<name>`: runs the default export of stories/<name>.mjs with a
 * browser and the helpers of stories/helpers.mjs (each helpers.newPage is a
 * fresh context: its own cookies, so one story can hold several sessions).
 */
async function runStory(name) {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad story name ${name}`);
  const { default: story } = await import(new URL(`./stories/${name}.mjs`, import.meta.url));
  const { makeHelpers } = await import(new URL('./stories/helpers.mjs', import.meta.url));
  const browser = await chromium.launch({ executablePath: job.chromium, headless: true, args: CHROMIUM_ARGS });
  const helpers = makeHelpers({ browser, job, require });
  try {
    const result = await story({ browser, base: job.base, job, helpers });
    return { ...result, ...(await helpers.seen()) };
  } finally {
    await browser.close();
  }
}

let result;
if (job.scenario.startsWith('story:')) {
  result = await runStory(job.scenario.slice('story:'.length));
} else {
  const run = scenarios[job.scenario];
  if (!run) throw new Error(`no scenario ${job.scenario}`);
  result = await withBrowser(run);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
