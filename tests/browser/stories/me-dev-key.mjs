// Without an issuer (development), the header offers an API-key field that
// opens a session for the key (POST /auth/key). On /me, a bad ORCID gets the
// API's refusal beside its field with the input kept, and a new e-mail address
// is shown as waiting for its link.
export default async function story({ base, job, helpers }) {
  const page = await helpers.newPage(helpers.PHONE.width);
  await page.goto(`${base}/me`);
  await helpers.ready(page);
  const beforeText = await page.textContent('main');
  await page.fill('input[name="sessionKey"]', job.key);
  await Promise.all([page.waitForEvent('load'), page.click('button:text("Sign in with key")')]);
  await page.waitForSelector('[data-person]');
  const who = await page.textContent('.site-header .who');

  await page.fill('input[name="orcid"]', '1234');
  await helpers.answered(page, 'UpdateMyProfile', () => page.click('button:text("Save profile")'));
  await page.waitForSelector('[data-field="orcid"] .field-errors li');
  const orcidErrors = await page.$$eval('[data-field="orcid"] .field-errors li', (items) => items.map((item) => item.textContent));
  const orcidDescribed = await page.$eval('input[name="orcid"]', (input) => input.getAttribute('aria-invalid') === 'true'
    && document.getElementById(input.getAttribute('aria-describedby').split(' ').pop()).textContent.length > 0);
  const kept = await page.inputValue('input[name="orcid"]');
  const shot = await helpers.shot(page, 'story-me-field-error');

  await page.fill('input[name="orcid"]', '');
  await page.fill('input[name="email"]', job.newEmail);
  await helpers.answered(page, 'query MePage', () => page.click('button:text("Save profile")'));
  await page.waitForSelector('[data-pending-email]');
  const pending = await page.getAttribute('[data-pending-email]', 'data-pending-email');
  const emailField = await page.inputValue('input[name="email"]');

  // Individual membership: applying needs both documents accepted; the versions go on record.
  await page.click('button:text("Apply for individual membership")');
  const unaccepted = await page.textContent('form[aria-labelledby="apply-individual-title"] .form-errors');
  const labels = await page.$$eval('form[aria-labelledby="apply-individual-title"] label', (all) => all.map((l) => l.textContent));
  await page.check('input[name="constitution"]');
  await page.check('input[name="memberAgreement"]');
  await helpers.answered(page, 'query MePage', () => page.click('button:text("Apply for individual membership")'));
  await page.waitForSelector('[data-individual-status="APPLICANT"]');
  const history = await page.textContent('[aria-label="Membership history"]');
  return { beforeText, who, orcidErrors, orcidDescribed, kept, pending, emailField, unaccepted, labels, history, shots: [shot] };
}
