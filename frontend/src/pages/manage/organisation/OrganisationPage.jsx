import { Failure } from '../Errors.jsx';
import { isStaff } from '../../shared/viewer.js';
import { useQuery } from '../../shared/useQuery.js';
import { COMMUNICATION_KINDS } from '../vocabulary.js';
import { AddColleague } from './AddColleague.jsx';
import { CommunicationsGrid } from './CommunicationsGrid.jsx';
import { MembershipPanel } from './MembershipPanel.jsx';
import { Profile } from './Profile.jsx';
import { Recommend } from './Recommend.jsx';
import { RoleContacts } from './RoleContacts.jsx';
import QUERY from './ManageOrganisation.graphql?raw';
import '../manage.css';

/**
 * /manage/organisations/{slug}. What the page offers follows what the API would
 * accept from this viewer: its Primary and Administrator (viewer.manages) and staff
 * edit; the Primary (and staff) also hand over the Primary role and cancel; everyone
 * else reads. The API decides in the end: a refusal shows beside the field.
 */
export function OrganisationPage({ params = [] }) {
  const slug = params[0];
  const { state, data, error, reload } = useQuery(QUERY, { slug });
  if (state === 'loading' && !data) return <div className="manage"><p>Loading…</p></div>;
  if (state === 'error') return <div className="manage"><Failure message={error} /></div>;
  const organisation = data?.organisation;
  if (!organisation) {
    return (
      <div className="manage">
        <h1>Organisation not found</h1>
        <p>No organisation has the address “{slug}”.</p>
        <Failure message={error} />
      </div>
    );
  }
  const { viewer } = data;
  const staff = isStaff(viewer);
  const manages = staff || viewer.manages.some((o) => o.id === organisation.id);
  const primary = organisation.contacts.find((c) => c.role === 'PRIMARY');
  const isPrimary = staff || (!!viewer.person && primary?.person.id === viewer.person.id);
  const people = organisation.people.nodes;
  const groups = data.workingGroups ?? [];
  const communicationGroups = groups.filter((g) => COMMUNICATION_KINDS.includes(g.kind));
  const relation = staff ? 'You act as staff.'
    : isPrimary ? 'You are its Primary.'
      : manages ? 'You are its Administrator.'
        : 'You can read this page; only its Primary, its Administrator and staff change it.';
  return (
    <div className="manage" data-can-edit={manages ? 'true' : 'false'}>
      <h1>{organisation.name}</h1>
      <p className="lede">
        {organisation.country?.name}{organisation.city ? ` · ${organisation.city}` : ''} · {relation}
      </p>
      <Failure message={error} />
      <div className="columns">
        <Profile key={organisation.id} organisation={organisation} canEdit={manages} onSaved={reload} />
        <MembershipPanel organisation={organisation} isPrimary={isPrimary} onChanged={reload} />
      </div>
      <RoleContacts organisation={organisation} people={people} canEdit={manages} canHandOver={isPrimary}
        onChanged={reload} />
      <CommunicationsGrid organisation={organisation} people={people} groups={communicationGroups}
        canEdit={manages} onChanged={reload} />
      {manages && (
        <div className="columns">
          <AddColleague organisation={organisation} onAdded={reload} />
          <Recommend organisation={organisation} people={people} groups={groups} />
        </div>
      )}
    </div>
  );
}
