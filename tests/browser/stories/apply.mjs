// /apply by keyboard alone: a signed-in person applies for their
// organisation (becoming its Primary), adds a colleague and names them
// Administrator; the page shows the role contacts as the API has them.
export default async function story({ base, job, helpers }) {
  const page = await helpers.newPage();
  await helpers.signIn(page, job.user, '/apply');
  await page.waitForSelector('input[name="name"]');

  // The form, by keyboard: Tab to each field, type; selects take type-ahead; Space ticks a sector.
  await helpers.typeInto(page, 'input[name="name"]', job.organisationName);
  await helpers.tabTo(page, 'select[name="kind"]');
  await page.keyboard.type('Academic');
  await helpers.tabTo(page, 'select[name="country"]');
  await page.keyboard.type('Kenya');
  await helpers.typeInto(page, 'input[name="website"]', 'https://kenya-genomics.example.org');
  await helpers.activate(page, 'input[name="sectors"][value="RESEARCH"]', 'Space');
  const slug = await page.inputValue('input[name="slug"]');
  const chosen = { kind: await page.inputValue('select[name="kind"]'), country: await page.inputValue('select[name="country"]') };
  await helpers.activate(page, 'button:text("Apply for membership")');
  await page.waitForSelector(`[data-application="${slug}"] [data-role="PRIMARY"]`);
  const afterApplying = await page.textContent(`[data-application="${slug}"] table`);

  const section = `[data-application="${slug}"]`;
  await helpers.typeInto(page, `${section} input[name="givenName"]`, job.colleague.givenName);
  await helpers.typeInto(page, `${section} input[name="familyName"]`, job.colleague.familyName);
  await helpers.typeInto(page, `${section} input[name="email"]`, job.colleague.email);
  await helpers.answered(page, 'query ApplyingOrganisation', () => helpers.activate(page, `${section} button:text("Add colleague")`));
  await page.waitForSelector(`${section} select[name="contact-ADMINISTRATOR"] option:text("${job.colleague.givenName} ${job.colleague.familyName}")`, { state: 'attached' });
  await helpers.tabTo(page, `${section} select[name="contact-ADMINISTRATOR"]`);
  await page.keyboard.type(job.colleague.givenName);
  await helpers.answered(page, 'query ApplyingOrganisation', () => helpers.activate(page, `${section} button:text("Name Administrator")`));
  await page.waitForFunction((s) => !document.querySelector(`${s} [data-role="ADMINISTRATOR"] td em`), section);
  const contacts = await page.$$eval(`${section} tbody tr`, (rows) => Object.fromEntries(rows.map((row) => [row.dataset.role, row.querySelector('td').textContent])));
  const both = await helpers.atBothWidths(page, 'story-apply');
  return { slug, chosen, afterApplying, contacts, shots: both.shots, axe: both.axe, overflow: both.overflow };
}
