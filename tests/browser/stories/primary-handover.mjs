// Story 2: a Primary hands the Primary role to a colleague (by keyboard alone) and
// can no longer edit the profile; the colleague can.
import { StoryData } from './manage-data.mjs';

const FORGED = `mutation ForgedUpdate($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { id } userErrors { field message code } } }`;

/** The form controls on the organisation page (none when it is read-only). */
function controls(page) {
  return page.locator('.manage').locator('input, select, textarea, button').count();
}

export default async function story({ job, helpers }) {
  const data = new StoryData(helpers, job.staffKey);
  const organisation = await data.organisation('Handover Institute');
  const primary = await data.person('Paula', 'Primary', { email: job.users.primary.email, affiliation: organisation });
  const colleague = await data.person('Colin', 'Colleague', { email: job.users.colleague.email, affiliation: organisation });
  await data.assign(organisation, 'PRIMARY', primary);
  const path = `/manage/organisations/${organisation.slug}`;
  const out = { colleague: colleague.name };

  const page = await helpers.newPage(helpers.LAPTOP.width);
  await helpers.signIn(page, job.users.primary, path);
  await page.waitForSelector('.manage[data-can-edit="true"]');
  out.primaryBefore = { ...(await helpers.atBothWidths(page, 'manage-organisation-primary')), controls: await controls(page) };

  out.headerBefore = await page.locator('.site-header').innerText();
  await page.evaluate(() => { window.sameDocument = true; }); // gone if the page reloads

  // The hand-over, by keyboard alone: choose the colleague, Hand over…, confirm.
  const select = '[data-role="PRIMARY"] select';
  if (!(await helpers.tabTo(page, select))) throw new Error('Tab never reached the hand-over select');
  await page.keyboard.press('ArrowDown'); // the only other person in the list
  out.chosenByKeyboard = (await page.inputValue(select)) === colleague.id;
  await helpers.activate(page, '[data-role="PRIMARY"] button[type="submit"]');
  await page.waitForSelector('.confirm');
  out.confirmation = await page.locator('.confirm p').innerText();
  await helpers.activate(page, '.confirm button:not(.secondary)');
  await page.waitForSelector('.manage[data-can-edit="false"]');
  await helpers.ready(page);
  await page.waitForFunction((name) => !document.querySelector('.site-header').innerText.includes(name), organisation.name);
  out.headerAfter = await page.locator('.site-header').innerText();
  out.sameDocument = await page.evaluate(() => window.sameDocument === true);
  out.organisationName = organisation.name;
  out.holderAfter = await page.locator('[data-testid="holder-PRIMARY"]').innerText();
  out.primaryAfter = { controls: await controls(page), profileInputs: await page.locator('#profile-heading ~ form input').count() };
  out.primaryAfterShots = await helpers.atBothWidths(page, 'manage-organisation-former-primary');
  const current = await data.read(organisation.slug);
  out.forged = await helpers.fromPage(page, FORGED, {
    input: { id: current.id, expectedVersion: current.version, patch: { city: 'Forged' } },
  });

  const phone = await helpers.newPage(helpers.PHONE.width);
  await helpers.signIn(phone, job.users.colleague, path);
  await phone.waitForSelector('.manage[data-can-edit="true"]');
  await phone.getByLabel('City').fill('Lyon');
  await phone.getByRole('button', { name: 'Save profile' }).click();
  await phone.getByText('Profile saved.').waitFor();
  out.colleagueShots = await helpers.atBothWidths(phone, 'manage-organisation-new-primary');
  out.after = await data.read(organisation.slug);
  out.primaryId = primary.id;
  out.colleagueId = colleague.id;
  return out;
}
