// STALE_VERSION on /me: staff change the person's record while their page is
// open; saving their own edit shows what changed meanwhile next to their edit
// (which the form keeps), and "Reapply my edit" saves it on top.
const VERSION = 'query StoryPersonVersion($id: ID!) { person(id: $id) { version } }';
const RENAME = `mutation StoryRename($input: UpdatePersonInput!) {
  updatePerson(input: $input) { person { version } userErrors { code message } } }`;

export default async function story({ job, helpers }) {
  const page = await helpers.newPage(helpers.PHONE.width);
  await helpers.signIn(page, job.user, '/me');
  await page.waitForSelector('[data-person]');

  const { version } = (await helpers.api(VERSION, { id: job.personId }, job.staffKey)).body.data.person;
  const renamed = (await helpers.api(RENAME, {
    input: { id: job.personId, expectedVersion: version, patch: { familyName: job.staffFamilyName } },
  }, job.staffKey)).body.data.updatePerson;

  await page.fill('input[name="givenName"]', job.myGivenName);
  await helpers.answered(page, 'UpdateMyProfile', () => page.click('button:text("Save profile")'));
  await page.waitForSelector('.stale-version [data-stale-field="familyName"]');
  const rows = await page.$$eval('.stale-version tbody tr', (trs) => trs.map((tr) => ({
    field: tr.dataset.staleField, now: tr.querySelector('[data-now]').textContent, mine: tr.querySelector('[data-mine]').textContent,
  })));
  const kept = await page.inputValue('input[name="givenName"]');
  const shot = await helpers.shot(page, 'story-me-stale-version');

  await helpers.answered(page, 'UpdateMyProfile', () => page.click('button:text("Reapply my edit")'));
  await page.waitForFunction(() => !document.querySelector('.stale-version'));
  await page.waitForFunction((name) => document.querySelector('input[name="familyName"]').value === name, job.staffFamilyName);
  return {
    renamed, rows, kept, shots: [shot],
    afterReapply: { givenName: await page.inputValue('input[name="givenName"]'), familyName: await page.inputValue('input[name="familyName"]') },
  };
}
