// Story 1: a member signs in through the provider, makes their contact
// details visible to staff only (by keyboard alone) and sees the preview
// change; an anonymous request confirms it; they unsubscribe from a group and
// cancel their individual membership from /me; they accept an invitation
// and see the notifications sent to them.
const ANONYMOUS_VIEW = 'query StoryAnonymousView($id: ID!) { person(id: $id) { orcid hiddenContactDetails } }';

function previews(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-preview]')].map((box) => [
    box.dataset.preview,
    Object.fromEntries([...box.querySelectorAll('[data-preview-field]')].map((cell) => [cell.dataset.previewField, cell.textContent])),
  ])));
}

export default async function story({ base, job, helpers }) {
  const page = await helpers.newPage(helpers.LAPTOP.width);
  const landed = await helpers.signIn(page, job.user, '/me');
  await page.waitForSelector('[data-person]');
  const header = await page.textContent('.site-header');
  const before = await previews(page);
  const anonymousBefore = (await helpers.api(ANONYMOUS_VIEW, { id: job.personId })).body;
  const shots = [await helpers.shot(page, 'story1-me-signed-in')];

  // Who sees what, by keyboard alone: into the radio group, down to "Staff only", Tab to Save, Enter.
  const reachedChoice = await helpers.tabTo(page, 'input[name="contactVisibility"]:checked');
  for (let i = 0; i < 3 && !(await page.isChecked('#visibility-STAFF')); i += 1) await page.keyboard.press('ArrowDown');
  const chosenByKeyboard = await page.isChecked('#visibility-STAFF');
  const reachedSave = await helpers.tabTo(page, 'button:text("Save who sees what")');
  await helpers.answered(page, 'query MePage', () => page.keyboard.press('Enter'));
  await page.waitForSelector('[data-saved-visibility="STAFF"]');
  const after = await previews(page);
  const savedStatus = await page.textContent('section[aria-labelledby="privacy-title"] [role="status"]');
  shots.push(await helpers.shot(page, 'story1-me-staff-only'));
  const anonymousAfter = (await helpers.api(ANONYMOUS_VIEW, { id: job.personId })).body;

  // Unsubscribe from the group.
  const box = `input[name="workingGroupIds"][value="${job.groupId}"]`;
  const subscribedBefore = await page.isChecked(box);
  await page.uncheck(box);
  await helpers.answered(page, 'query MePage', () => page.click('button:text("Save communications")'));
  await page.waitForFunction((selector) => !document.querySelector(selector).checked, box);
  const subscribedAfter = await page.isChecked(box);

  // Cancel Individual Membership, after the confirmation.
  const statusBefore = await page.getAttribute('[data-individual-status]', 'data-individual-status');
  await page.click('button:text("Cancel Individual Membership")');
  const confirmation = await page.textContent('[data-confirm="cancel-individual"]');
  shots.push(await helpers.shot(page, 'story1-me-cancel-confirmation'));
  await helpers.answered(page, 'query MePage', () => page.click('button:text("Yes, cancel my individual membership")'));
  await page.waitForSelector('[data-individual-status="CANCELLED"]');
  const statusAfter = await page.getAttribute('[data-individual-status]', 'data-individual-status');

  // An invitation to answer, and the notifications sent to the person.
  const invitation = `[data-invitation][data-group="${job.invitingGroupSlug}"]`;
  const invitedMessage = await page.textContent(invitation);
  await helpers.answered(page, 'query MePage', () => page.click(`${invitation} button:text("Accept")`));
  await page.waitForSelector(`[data-invitation][data-status="ACCEPTED"]`);
  const notifications = await page.$$eval('[data-notification]', (items) => items.map((item) => item.dataset.notification));

  const both = await helpers.atBothWidths(page, 'story1-me');
  return {
    landed, header, before, after, savedStatus, anonymousBefore, anonymousAfter,
    keyboard: { reachedChoice, chosenByKeyboard, reachedSave },
    subscribedBefore, subscribedAfter, statusBefore, confirmation, statusAfter, invitedMessage, notifications,
    shots: [...shots, ...both.shots], axe: both.axe, overflow: both.overflow,
  };
}
