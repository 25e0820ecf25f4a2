// Story 7: axe-core on every page, at laptop and phone widths, as the person
// each page is for; and a page driven by keyboard alone (skip link, then
// signing out from the header).
export default async function story({ base, job, helpers }) {
  const checked = {};
  async function check(page, name, path) {
    await page.goto(`${base}${path}`);
    await helpers.ready(page);
    const both = await helpers.atBothWidths(page, `story7-${name}`);
    checked[name] = { path, status: 'ok', ...both };
  }

  const anonymous = await helpers.newPage();
  await check(anonymous, 'home-anonymous', '/');
  await check(anonymous, 'me-anonymous', '/me');

  const member = await helpers.newPage();
  await helpers.signIn(member, job.member, '/');
  await check(member, 'home', '/');
  await check(member, 'me', '/me');
  await check(member, 'apply', '/apply');
  await check(member, 'manage-organisation', `/manage/organisations/${job.organisationSlug}`);
  await check(member, 'manage-group', `/manage/groups/${job.groupSlug}`);
  await check(member, 'dashboard-signed-in', '/dashboard');

  const staff = await helpers.newPage();
  await helpers.signIn(staff, job.staff, '/staff');
  await check(staff, 'staff', '/staff');
  // The provider sends the role claim "STAFF": the page must show the queues, not the refusal.
  const staffView = await staff.evaluate(() => ({
    queues: [...document.querySelectorAll('[data-queue]')].map((section) => section.dataset.queue),
    refused: document.body.innerText.includes('Sign in with a staff account'),
    who: document.querySelector('.site-header .who')?.textContent ?? null,
  }));

  // Keyboard alone on /me: the skip link, then Sign out in the header.
  await member.goto(`${base}/me`);
  await helpers.ready(member);
  await member.keyboard.press('Tab');
  const skipLinkFirst = await member.evaluate(() => document.activeElement?.classList.contains('skip-link') ?? false);
  await member.keyboard.press('Enter');
  const skippedToMain = await member.evaluate(() => document.activeElement?.id === 'content');
  const reachedSignOut = await helpers.tabTo(member, '.site-header button:text("Sign out")');
  await Promise.all([member.waitForEvent('load'), member.keyboard.press('Enter')]);
  await helpers.ready(member);
  const afterSignOut = await member.evaluate(() => document.querySelector('.site-header').dataset.signedIn);
  const session = await member.evaluate(() => fetch('/auth/session').then((r) => r.json()));

  return { checked, staffView, keyboard: { skipLinkFirst, skippedToMain, reachedSignOut, afterSignOut, session } };
}
