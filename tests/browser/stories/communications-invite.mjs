// Story 3: an Administrator assigns communications contacts for two groups in the
// grid and recommends a colleague; the chair invites them from /manage/groups/…;
// the colleague accepts in /me and appears on the roster.
import { StoryData } from './manage-data.mjs';

export default async function story({ job, helpers }) {
  const data = new StoryData(helpers, job.staffKey);
  const organisation = await data.organisation('Grid University');
  const administrator = await data.person('Ada', 'Admin', { email: job.users.administrator.email, affiliation: organisation });
  const colleague = await data.person('Cora', 'Colleague', { email: job.users.colleague.email, affiliation: organisation });
  const chair = await data.person('Hugo', 'Chair', { email: job.users.chair.email });
  await data.assign(organisation, 'ADMINISTRATOR', administrator);
  const group = await data.group('Story Variants Working Group');
  const other = await data.group('Story Phenotypes Working Group');
  await data.onRoster(group, chair, 'CHAIR');
  const out = { groups: [group.id, other.id], colleagueId: colleague.id, administratorId: administrator.id };

  // The Administrator ticks two cells of the grid, one by keyboard.
  const admin = await helpers.newPage(helpers.LAPTOP.width);
  await helpers.signIn(admin, job.users.administrator, `/manage/organisations/${organisation.slug}`);
  await admin.waitForSelector('.manage[data-can-edit="true"]');
  const cell = (g, p) => `input[data-cell="${g.slug}|${p.id}"]`;
  await helpers.activate(admin, cell(group, colleague), 'Space');
  await admin.waitForSelector(`${cell(group, colleague)}:checked:enabled`);
  await admin.getByText(`${colleague.name} now receives ${group.name} updates.`).waitFor();
  await admin.locator(cell(other, administrator)).check();
  await admin.getByText(`${administrator.name} now receives ${other.name} updates.`).waitFor();
  out.contacts = (await data.read(organisation.slug)).contacts.filter((c) => c.role === 'COMMUNICATIONS')
    .map((c) => ({ person: c.person.id, group: c.workingGroup.id }));

  // ... and recommends the colleague to the group's chairs.
  await admin.getByLabel('Colleague', { exact: true }).selectOption(colleague.id);
  await admin.getByLabel('Group', { exact: true }).selectOption(group.id);
  await admin.getByLabel('Message to the chairs (optional)').fill('Cora leads our variant calling.');
  await admin.getByRole('button', { name: 'Recommend' }).click();
  await admin.getByText(`${colleague.name} was recommended to the chairs of ${group.name}.`).waitFor();
  out.adminShots = await helpers.atBothWidths(admin, 'manage-organisation-communications');

  // The chair sees the recommendation and invites.
  const chairPage = await helpers.newPage(helpers.PHONE.width);
  await helpers.signIn(chairPage, job.users.chair, `/manage/groups/${group.slug}`);
  await chairPage.waitForSelector('.manage[data-can-edit="true"]');
  out.recommendations = await chairPage.locator('[data-testid="recommendations"] li').allInnerTexts();
  await chairPage.getByRole('button', { name: `Invite ${colleague.name}` }).click();
  await chairPage.getByTestId('invitee').getByText(colleague.name).waitFor();
  await chairPage.getByLabel('Message (optional)').fill('Welcome aboard.');
  await chairPage.getByRole('button', { name: 'Send invitation' }).click();
  await chairPage.getByText(`${colleague.name} was invited`).waitFor();
  await chairPage.locator(`[data-testid="invitations"] tr:has-text("${colleague.name}")`).waitFor();
  out.invitationRow = await chairPage.locator(`[data-testid="invitations"] tr:has-text("${colleague.name}")`).innerText();
  out.chairShots = await helpers.atBothWidths(chairPage, 'manage-group-chair');

  // The colleague accepts in /me.
  const colleaguePage = await helpers.newPage(helpers.LAPTOP.width);
  await helpers.signIn(colleaguePage, job.users.colleague, '/me');
  const invitation = colleaguePage.locator(`li.invitation[data-group="${group.slug}"]`);
  await invitation.getByRole('button', { name: `Accept the invitation to ${group.name}` }).click();
  await invitation.waitFor({ state: 'detached' });

  // ... and is on the roster the chair sees.
  await chairPage.reload();
  await helpers.ready(chairPage);
  await chairPage.waitForSelector(`[data-testid="roster"] tr[data-person="${colleague.id}"]`);
  out.rosterRow = await chairPage.locator(`[data-testid="roster"] tr[data-person="${colleague.id}"]`).innerText();
  out.invitationAfter = await chairPage.locator(`[data-testid="invitations"] tr:has-text("${colleague.name}")`).innerText();
  out.rosterShots = await helpers.atBothWidths(chairPage, 'manage-group-roster');
  return out;
}
