import { Failure } from '../manage/Errors.jsx';
import { useQuery } from '../shared/useQuery.js';

import { ActionForm } from './ActionForm.jsx';
import { ChangeList } from './History.jsx';
import { humanise } from '../shared/words.js';
import DECIDE from './DecideIndividualMembership.graphql?raw';
import QUERY from './StaffPerson.graphql?raw';

/** A queue item opened: a person's individual membership and staff's decisions on it. */
export function PersonRecord({ id }) {
  const { state, data, error, reload } = useQuery(QUERY, { id });
  if (state === 'loading' && !data) return <p>Loading…</p>;
  if (state === 'error') return <Failure message={error} />;
  const person = data?.person;
  if (!person) return <><h1>Person not found</h1><p>No person has the id “{id}”.</p></>;
  const membership = person.individualMembership;
  const status = membership?.status;
  const choices = status === 'APPLICANT'
    ? [{ value: 'APPROVE', label: 'Approve' }, { value: 'DECLINE', label: 'Decline' }]
    : status === 'ACTIVE' ? [{ value: 'REMOVE', label: 'Remove' }] : [];
  return (
    <>
      <h1>{person.name}</h1>
      <p className="lede">
        {person.email ?? 'no e-mail on file'}
        {person.affiliation && <> · <a href={`/staff/organisations/${encodeURIComponent(person.affiliation.slug)}`}>
          {person.affiliation.name}</a></>}
      </p>
      <Failure message={error} />
      <div className="columns">
        <section aria-labelledby="individual-heading" className="card">
          <h2 id="individual-heading">Individual membership</h2>
          <p data-testid="individual-status">{status ? `${humanise(status)} since ${membership.since}` : 'Never applied.'}</p>
          {membership && (
            <ol className="history">
              {membership.history.map((c, i) => <li key={i}>{c.on}: {humanise(c.status)}{c.reason ? ` — ${c.reason}` : ''}</li>)}
            </ol>
          )}
        </section>
        {choices.length > 0 && (
          <section aria-labelledby="decide-heading" className="card">
            <h2 id="decide-heading">Decision</h2>
            <ActionForm title="Decide the individual membership" document={DECIDE} onDone={reload}
              inputOf={(decision) => ({ personId: person.id, expectedVersion: person.version, decision })}
              choices={choices} />
          </section>
        )}
      </div>
      <section aria-labelledby="history-heading" className="card">
        <h2 id="history-heading">Recent changes</h2>
        <ChangeList changes={person.history?.nodes ?? []} />
      </section>
    </>
  );
}
