// Data for the manage and staff stories, made through the API with a staff key
// (not a story: drive.mjs only runs the modules a test names). Each story makes
// its own organisation, people and groups, with names no other run shares.

const CREATE_ORGANISATION = `mutation StoryCreateOrganisation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { organisation { id slug name version } userErrors { field message code } } }`;
const CREATE_PERSON = `mutation StoryCreatePerson($input: CreatePersonInput!) {
  createPerson(input: $input) { person { id name version } userErrors { field message code } } }`;
const ASSIGN = `mutation StoryAssignRoleContact($input: AssignRoleContactInput!) {
  assignRoleContact(input: $input) { organisation { id version } userErrors { field message code } } }`;
const CREATE_GROUP = `mutation StoryCreateWorkingGroup($input: CreateWorkingGroupInput!) {
  createWorkingGroup(input: $input) { workingGroup { id slug name version } userErrors { field message code } } }`;
const ADD_ROSTER = `mutation StoryAddRosterEntry($input: AddRosterEntryInput!) {
  addRosterEntry(input: $input) { entry { id } userErrors { field message code } } }`;
const ORGANISATION = `query StoryOrganisation($slug: String!) {
  organisation(slug: $slug) { id version name city website
    membership { status lastReviewedOn removalNoticeOn removableFrom }
    contacts(first: 100) { role person { id } workingGroup { id } } } }`;

export function tag() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export class StoryData {
  constructor(helpers, key) {
    this.helpers = helpers;
    this.key = key;
  }

  async call(query, variables) {
    const { status, body } = await this.helpers.api(query, variables, this.key);
    if (status !== 200 || body?.errors) throw new Error(`API ${status}: ${JSON.stringify(body)}`);
    const payload = Object.values(body.data)[0];
    if (payload?.userErrors?.length) throw new Error(`refused: ${JSON.stringify(payload.userErrors)}`);
    return payload;
  }

  async organisation(name) {
    const suffix = tag();
    const { organisation } = await this.call(CREATE_ORGANISATION, {
      input: { slug: `story-${suffix}`, name: `${name} ${suffix}`, kind: 'ACADEMIC', country: 'FR', city: 'Paris' },
    });
    return organisation;
  }

  async person(givenName, familyName, { email = null, affiliation = null } = {}) {
    const input = { givenName, familyName: `${familyName}-${tag()}` };
    if (email) input.email = email;
    if (affiliation) input.affiliation = affiliation.id;
    return (await this.call(CREATE_PERSON, { input })).person;
  }

  async read(slug) {
    const { body } = await this.helpers.api(ORGANISATION, { slug }, this.key);
    return body.data.organisation;
  }

  /** Assigns a role at the organisation's current version. */
  async assign(organisation, role, person, group = null) {
    const current = await this.read(organisation.slug);
    const input = { organisationId: current.id, expectedVersion: current.version, role, personId: person.id };
    if (group) input.workingGroupId = group.id;
    return this.call(ASSIGN, { input });
  }

  async group(name) {
    const suffix = tag();
    const { workingGroup } = await this.call(CREATE_GROUP, {
      input: { slug: `story-${suffix}`, name: `${name} ${suffix}`, kind: 'WORKING_GROUP' },
    });
    return workingGroup;
  }

  async onRoster(group, person, role) {
    return this.call(ADD_ROSTER, { input: { groupId: group.id, expectedVersion: group.version, personId: person.id, role } });
  }
}
