// Story 5: staff approve an applicant from the queue (refused until the three
// contacts exist, with the message shown), record a review and a removal notice;
// the Primary's notification appears in the outbox.
import { StoryData } from './manage-data.mjs';

export default async function story({ job, helpers }) {
  const data = new StoryData(helpers, job.staffKey);
  const organisation = await data.organisation('Queue Genomics');
  const primary = await data.person('Priya', 'Primary', { email: job.users.primary.email, affiliation: organisation });
  await data.assign(organisation, 'PRIMARY', primary);
  const out = { primaryId: primary.id };

  // The queue, by keyboard: Tab to the applicant's link and follow it.
  const page = await helpers.newPage(helpers.LAPTOP.width);
  await helpers.signIn(page, job.users.staff, '/staff');
  const link = `[data-queue="applications"] a[href="/staff/organisations/${organisation.slug}"]`;
  await page.waitForSelector(link);
  out.queueCounts = await page.$$eval('[data-queue]', (queues) => Object.fromEntries(
    queues.map((q) => [q.dataset.queue, Number(q.querySelector('[data-count]').textContent)])));
  out.queueShots = await helpers.atBothWidths(page, 'staff-queues');
  await Promise.all([page.waitForURL(`**/staff/organisations/${organisation.slug}`), helpers.activate(page, link)]);
  await helpers.ready(page);

  // Approve: refused while the Administrator and the Signer are missing.
  await page.getByRole('button', { name: 'Approve' }).click();
  const refusal = page.locator('form.action .form-errors');
  await refusal.waitFor();
  out.refusal = await refusal.innerText();
  out.refusalShots = await helpers.atBothWidths(page, 'staff-organisation-refused');

  // The contacts are named meanwhile (as the Primary would). Approving from the page as it was read is
  // refused as stale, and the page reads the record again (the contacts show); the next try approves.
  const signer = await data.person('Sam', 'Signer', { affiliation: organisation });
  await data.assign(organisation, 'ADMINISTRATOR', await data.person('Abe', 'Admin', { affiliation: organisation }));
  await data.assign(organisation, 'SIGNER', signer);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('form.action .form-errors [data-code="STALE_VERSION"]').waitFor();
  await page.getByText(signer.name).waitFor();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByTestId('membership-status').getByText('Active').waitFor();

  await page.getByRole('button', { name: 'Renewed' }).click();
  await page.getByText('Renewed: done.').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="last-reviewed"]').textContent !== '—');
  out.lastReviewed = await page.getByTestId('last-reviewed').innerText();

  const notice = page.locator('form.action', { has: page.getByRole('heading', { name: 'Record a removal notice' }) });
  await notice.getByLabel('Reason (required)').fill('Dues unpaid for two years.');
  await notice.getByRole('button', { name: 'Record removal notice' }).click();
  await page.getByText('Record removal notice: done.').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="removal-notice"]').textContent !== '—');
  out.removalNotice = await page.getByTestId('removal-notice').innerText();
  await page.locator('[data-testid="outbox"] li[data-kind="REMOVAL_NOTICE"]').waitFor();
  out.outbox = await page.locator('[data-testid="outbox"] li').allInnerTexts();
  out.recordShots = await helpers.atBothWidths(page, 'staff-organisation');

  // Back on the queues: under notice (with the day removal is allowed), not yet removable.
  await page.goto(`${helpers.base}/staff`);
  await helpers.ready(page);
  const mine = `a[href="/staff/organisations/${organisation.slug}"]`;
  await page.locator(`[data-queue="notices"] ${mine}`).waitFor();
  out.noticeItem = await page.locator('[data-queue="notices"] li', { has: page.locator(mine) }).innerText();
  out.inRemovable = await page.locator(`[data-queue="removable"] ${mine}`).count();
  out.after = await data.read(organisation.slug);
  return out;
}
