import { useState } from 'react';
import { Failure } from '../Errors.jsx';
import { isStaff } from '../../shared/viewer.js';
import { useQuery } from '../../shared/useQuery.js';

import { InviteForm } from './InviteForm.jsx';
import { Invitations } from './Invitations.jsx';
import { Roster } from './Roster.jsx';
import { humanise } from '../../shared/words.js';
import QUERY from './ManageGroup.graphql?raw';
import '../manage.css';

/**
 * /manage/groups/{slug}. Its current chairs and co-chairs (viewer.chairs) and staff
 * see the recommendations and invitations and act on the roster; everyone else reads
 * the roster.
 */
export function GroupPage({ params = [] }) {
  const slug = params[0];
  const { state, data, error, reload } = useQuery(QUERY, { slug });
  const [fromRecommendation, setFromRecommendation] = useState(null);
  if (state === 'loading' && !data) return <div className="manage"><p>Loading…</p></div>;
  if (state === 'error') return <div className="manage"><Failure message={error} /></div>;
  const group = data?.workingGroup;
  if (!group) {
    return (
      <div className="manage">
        <h1>Group not found</h1>
        <p>No group has the address “{slug}”.</p>
      </div>
    );
  }
  const staff = isStaff(data.viewer);
  const canChair = staff || data.viewer.chairs.some((g) => g.id === group.id);
  return (
    <div className="manage" data-can-edit={canChair ? 'true' : 'false'}>
      <h1>{group.name}</h1>
      <p className="lede">
        {humanise(group.kind)}{group.active ? '' : ' (inactive)'} · chaired by{' '}
        {group.chairs.map((c) => c.name).join(', ') || 'nobody yet'}
        {canChair ? (staff ? ' · You act as staff.' : ' · You chair it.') : ''}
      </p>
      <Failure message={error} />
      <Roster group={group} canChair={canChair} staff={staff} onChanged={reload} />
      {canChair && (
        <>
          <Invitations group={group} onInvite={setFromRecommendation} onChanged={reload} />
          <InviteForm group={group} staff={staff} fromRecommendation={fromRecommendation} onInvited={reload} />
        </>
      )}
    </div>
  );
}
