// Story 6: a person who is not the organisation's Primary opens its manage
// page: no edit controls (looked for by mouse and by keyboard), and a
// mutation forged with that page's own session is refused by the API.
const EDITING = [
  'main form', 'main input:not([type="hidden"]):not([readonly]):not([disabled])',
  'main select:not([disabled])', 'main textarea:not([readonly]):not([disabled])', 'main button:not([disabled])',
].join(', ');

const FORGED = `mutation Forged($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { id website } userErrors { field message code } }
}`;

export default async function story({ job, helpers }) {
  const page = await helpers.newPage(helpers.LAPTOP.width);
  const path = `/manage/organisations/${job.slug}`;
  const landed = await helpers.signIn(page, job.user, path);
  const main = await page.textContent('main');
  const editControls = await page.$$eval(EDITING, (elements) => elements.map((e) => e.outerHTML.slice(0, 120)));

  // By keyboard alone: every stop Tab makes inside main, from the skip link on.
  const stops = [];
  await page.focus('.skip-link');
  await page.keyboard.press('Enter');
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || !element.closest('main')) return null;
      return `${element.tagName.toLowerCase()}${element.type ? `[${element.type}]` : ''}`;
    });
    if (stop === null && stops.length) break;
    if (stop) stops.push(stop);
  }

  const forged = await helpers.fromPage(page, FORGED, {
    input: { id: job.organisationId, expectedVersion: job.version, patch: { website: job.forgedWebsite } },
  });
  const both = await helpers.atBothWidths(page, 'story6-not-primary');
  const heading = await page.locator('main h1').innerText();
  return { landed, heading, main, editControls, keyboardStops: stops, forged, shots: both.shots, axe: both.axe, overflow: both.overflow };
}
