// The dashboard's sign-in is the server's (a backend-for-frontend): the
// header's "Sign in" goes to the provider's login page and back, and from then
// on the dashboard's requests carry the session cookie only — no token in any
// header, in script-readable cookies, or in browser storage.
const PANELS = ['countries', 'continents', 'sectors', 'kinds', 'trend', 'crosstab'];

function settled(page) {
  return page.waitForFunction((panels) => panels.every((id) => {
    const panel = document.querySelector(`[data-panel="${id}"]`);
    return panel && panel.dataset.state !== 'loading';
  }), PANELS);
}

function stored(page) {
  return page.evaluate(async () => {
    const parts = [document.cookie];
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i += 1) parts.push(storage.key(i), storage.getItem(storage.key(i)));
    }
    for (const { name } of await indexedDB.databases()) parts.push(`indexedDB:${name}`);
    return parts.join('\n');
  });
}

export default async function story({ base, job, helpers }) {
  const page = await helpers.newPage();
  const sent = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/graphql') {
      sent.push({ authorization: request.headers().authorization ?? null, cookie: (request.headers().cookie ?? '').includes('memberdir_session') });
    }
  });
  await page.goto(`${base}/dashboard`);
  await settled(page);
  await helpers.ready(page);
  const anonymous = sent.splice(0);

  await page.click('.site-header a:text("Sign in")');
  const providerPage = page.url();
  await page.fill('input[name="login"]', job.user.email);
  await page.fill('input[name="password"]', job.user.password);
  await Promise.all([
    page.waitForURL((url) => url.origin === base && url.pathname === '/dashboard'),
    page.click('button[type="submit"]'),
  ]);
  await settled(page);
  await helpers.ready(page);
  const signedIn = sent.splice(0);
  const cookies = await page.context().cookies(base);
  const session = cookies.find((cookie) => cookie.name.endsWith('memberdir_session'));
  return {
    providerPage,
    landed: page.url(),
    anonymous,
    signedIn,
    who: await page.textContent('.site-header .who'),
    viewer: await page.getAttribute('[data-viewer]', 'data-viewer'),
    countriesState: await page.getAttribute('[data-panel="countries"]', 'data-state'),
    sessionCookie: session ? { httpOnly: session.httpOnly, sameSite: session.sameSite } : null,
    stored: await stored(page),
    sessionValue: session?.value ?? null,
  };
}
