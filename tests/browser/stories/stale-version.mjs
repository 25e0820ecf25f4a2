// Story 4: two browser sessions edit the same organisation; the second sees the
// stale-version message with the first's change and saves on top of it.
import { StoryData } from './manage-data.mjs';

export default async function story({ job, helpers }) {
  const data = new StoryData(helpers, job.staffKey);
  const organisation = await data.organisation('Concurrent Genomics');
  const primary = await data.person('Petra', 'Primary', { email: job.users.primary.email, affiliation: organisation });
  const administrator = await data.person('Adam', 'Admin', { email: job.users.administrator.email, affiliation: organisation });
  await data.assign(organisation, 'PRIMARY', primary);
  await data.assign(organisation, 'ADMINISTRATOR', administrator);
  const path = `/manage/organisations/${organisation.slug}`;
  const out = {};

  // Both open the page at the same version.
  const first = await helpers.newPage(helpers.LAPTOP.width);
  await helpers.signIn(first, job.users.administrator, path);
  const second = await helpers.newPage(helpers.PHONE.width);
  await helpers.signIn(second, job.users.primary, path);
  await first.waitForSelector('.manage[data-can-edit="true"]');
  await second.waitForSelector('.manage[data-can-edit="true"]');

  // The first saves a new city.
  await first.getByLabel('City').fill('Lyon');
  await first.getByRole('button', { name: 'Save profile' }).click();
  await first.getByText('Profile saved.').waitFor();

  // The second, still at the old version, edits the website by keyboard and saves.
  await helpers.typeInto(second, 'input[name="website"]', 'https://concurrent.example.org');
  await helpers.activate(second, 'button[data-action="save-profile"]');
  await second.waitForSelector('.stale-version');
  out.stale = await second.$$eval('.stale-version [data-stale-field]', (rows) => rows.map((row) => ({
    field: row.dataset.staleField,
    now: row.querySelector('[data-now]').textContent,
    mine: row.querySelector('[data-mine]').textContent,
  })));
  out.websiteKept = await second.inputValue('input[name="website"]');
  out.staleShots = await helpers.atBothWidths(second, 'manage-organisation-stale-version');
  await helpers.activate(second, '.stale-version button');
  await second.getByText('Profile saved.').waitFor();
  out.after = await data.read(organisation.slug);
  return out;
}
