// What every story needs: pages at laptop and phone widths (each its own
// context, so its own cookies), signing in through the provider's own login
// page, axe-core, screenshots, the keyboard, and GraphQL from a page's session
// or from Node. Everything stays on 127.0.0.1: other hosts are refused and listed.
import path from 'node:path';
import { readFileSync } from 'node:fs';

export const LAPTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Serious and critical only: the bar issue 25 sets. */
const BLOCKING = new Set(['serious', 'critical']);

export function makeHelpers({ browser, job, require }) {
  const base = job.base;
  const seen = { blocked: [], pageErrors: [], cspViolations: [] };
  const contexts = [];
  let axeSource = null;

  function widthName(page) {
    return page.viewportSize().width >= 1000 ? 'laptop' : 'phone';
  }

  const helpers = {
    base,
    LAPTOP,
    PHONE,

    /** A new page in a new context (fresh cookies), `width` 1280 (laptop) or 390 (phone). */
    async newPage(width = LAPTOP.width) {
      const viewport = width >= 1000 ? { ...LAPTOP, width } : { ...PHONE, width };
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (new URL(url).hostname === '127.0.0.1') return route.continue();
        seen.blocked.push(url);
        return route.abort('blockedbyclient');
      });
      // A binding works whatever the page's Content-Security-Policy says.
      await context.exposeBinding('__reportCspViolation', (_source, text) => seen.cspViolations.push(text));
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          window.__reportCspViolation(`${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => seen.pageErrors.push(`${page.url()}: ${error.message}`));
      return page;
    },

    /**
     * Signs `user` ({ email, password }) in through the provider's login page,
     * starting at /auth/login?next=<next>; resolves once the browser is back on `next`.
     */
    async signIn(page, user, next = '/me') {
      await page.goto(`${base}/auth/login?next=${encodeURIComponent(next)}`);
      await page.waitForSelector('input[name="login"]');
      await page.fill('input[name="login"]', user.email);
      await page.fill('input[name="password"]', user.password);
      await Promise.all([
        page.waitForURL((url) => url.origin === base && url.pathname === next.split('?')[0], { timeout: 30_000 }),
        page.click('button[type="submit"]'),
      ]);
      await helpers.ready(page);
      return page.url();
    },

    /** Development sign-in: a session for an API key (POST /auth/key), then opens `next`. */
    async signInWithKey(page, key, next = '/me') {
      const answer = await page.context().request.post(`${base}/auth/key`, {
        data: { key }, headers: { Origin: base },
      });
      if (!answer.ok()) throw new Error(`/auth/key answered ${answer.status()}`);
      await page.goto(`${base}${next}`);
      await helpers.ready(page);
    },

    /** Waits until the page has drawn its header and nothing is loading. */
    async ready(page) {
      await page.waitForSelector('.site-header .session > *');
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
    },

    /** axe-core's serious and critical violations on the page as it is now. */
    async axe(page) {
      axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
      // evaluate() is not subject to the page's CSP, unlike an injected <script>.
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        }));
      });
      return violations.filter((violation) => BLOCKING.has(violation.impact));
    },

    /** A full-page screenshot: test-artifacts/browser/<name>-<laptop|phone>.png; returns the file name. */
    async shot(page, name) {
      const file = `${name}-${widthName(page)}.png`;
      await page.screenshot({ path: path.join(job.artifacts, file), fullPage: true });
      return file;
    },

    /** Pixels the page scrolls sideways (0 when it fits the width). */
    overflow(page) {
      return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    },

    /**
     * The page at both widths: screenshots, axe-core, sideways overflow.
     * Leaves the page at the width it had.
     */
    async atBothWidths(page, name) {
      const before = page.viewportSize();
      const out = { shots: [], axe: {}, overflow: {} };
      for (const [label, size] of [['laptop', LAPTOP], ['phone', PHONE]]) {
        await page.setViewportSize(size);
        out.shots.push(await helpers.shot(page, name));
        out.axe[label] = await helpers.axe(page);
        out.overflow[label] = await helpers.overflow(page);
      }
      await page.setViewportSize(before);
      return out;
    },

    /**
     * Presses Tab until an element `selector` matches (a Playwright selector:
     * CSS, :text(...)) has the focus; false if none does within `presses`.
     */
    async tabTo(page, selector, presses = 80) {
      const targets = page.locator(selector);
      for (let i = 0; i < presses; i += 1) {
        if (await targets.evaluateAll((elements) => elements.includes(document.activeElement))) return true;
        await page.keyboard.press('Tab');
      }
      return false;
    },

    /** Tabs to `selector` and presses `key` (Enter for buttons and links, Space for checkboxes). */
    async activate(page, selector, key = 'Enter') {
      if (!(await helpers.tabTo(page, selector))) throw new Error(`Tab never reached ${selector}`);
      await page.keyboard.press(key);
    },

    /** Tabs to `selector`, selects what it holds and types `text` over it. */
    async typeInto(page, selector, text) {
      if (!(await helpers.tabTo(page, selector))) throw new Error(`Tab never reached ${selector}`);
      await page.keyboard.press('Control+A');
      await page.keyboard.type(text);
    },

    /** Does `action` and waits for the API to answer the named operation; its JSON. */
    async answered(page, operation, action) {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes(operation)),
        action(),
      ]);
      return response.json();
    },

    /** A GraphQL request sent from the page with its own session (as a forged request would be). */
    fromPage(page, query, variables = {}) {
      return page.evaluate(async ({ query, variables }) => {
        const response = await fetch('/graphql', {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query, variables }),
        });
        return { status: response.status, body: await response.json().catch(() => null) };
      }, { query, variables });
    },

    /** A GraphQL request from Node: anonymous, or with `key`. */
    async api(query, variables = {}, key = null) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },

    /** What went wrong in any page: other hosts asked, page errors, CSP violations. */
    async seen() {
      await Promise.all(contexts.map((context) => context.close().catch(() => {})));
      return { ...seen };
    },
  };
  return helpers;
}
