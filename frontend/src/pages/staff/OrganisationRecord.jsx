import { Failure } from '../manage/Errors.jsx';
import { useQuery } from '../shared/useQuery.js';
import { CONTACT_ROLES } from '../manage/vocabulary.js';
import { ActionForm } from './ActionForm.jsx';
import { ChangeList } from './History.jsx';
import { humanise } from '../shared/words.js';
import DECIDE from './DecideMembership.graphql?raw';
import NOTICE from './RecordRemovalNotice.graphql?raw';
import REMOVE from './RemoveMembership.graphql?raw';
import REVIEW from './RecordMembershipReview.graphql?raw';
import QUERY from './StaffOrganisation.graphql?raw';
import OUTBOX from './StaffOrganisationOutbox.graphql?raw';

function Outbox({ organisationId }) {
  const { state, data, error } = useQuery(OUTBOX, { record: organisationId });
  if (state === 'error') return <Failure message={error} />;
  const nodes = data?.notifications?.nodes ?? [];
  return (
    <section aria-labelledby="outbox-heading" className="card">
      <h2 id="outbox-heading">Outbox: notifications about this organisation ({nodes.length})</h2>
      {!nodes.length ? <p>None.</p> : (
        <ul className="items" data-testid="outbox">
          {nodes.map((n) => (
            <li key={n.id} data-kind={n.kind}>
              <strong>{humanise(n.kind)}</strong> to {n.recipient?.name ?? 'an endpoint'} by {n.channel.toLowerCase()}
              {' '}· {humanise(n.state)} · {n.createdAt.slice(0, 10)}
              <br /><span className="muted">{n.subject}{n.lastError ? ` (${n.lastError})` : ''}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A queue item opened: the organisation's membership and the decisions staff take on it. */
export function OrganisationRecord({ slug }) {
  const { state, data, error, reload } = useQuery(QUERY, { slug });
  if (state === 'loading' && !data) return <p>Loading…</p>;
  if (state === 'error') return <Failure message={error} />;
  const organisation = data?.organisation;
  if (!organisation) return <><h1>Organisation not found</h1><p>No organisation has the address “{slug}”.</p></>;
  const { membership } = organisation;
  const base = { organisationId: organisation.id, expectedVersion: organisation.version };
  const member = ['ACTIVE', 'LAPSED'].includes(membership.status);
  const held = Object.fromEntries(organisation.contacts.map((c) => [c.role, c.person.name]));
  return (
    <>
      <h1>{organisation.name}</h1>
      <p className="lede">
        {organisation.country.name} · <a href={`/manage/organisations/${encodeURIComponent(slug)}`}>
          Profile, role contacts and people</a>
      </p>
      <Failure message={error} />
      <div className="columns">
        <section aria-labelledby="state-heading" className="card">
          <h2 id="state-heading">Membership</h2>
          <dl className="facts">
            <div><dt>Status</dt><dd data-testid="membership-status">{humanise(membership.status)}</dd></div>
            <div><dt>Joined</dt><dd>{membership.joinedOn ?? '—'}</dd></div>
            <div><dt>Last reviewed</dt><dd data-testid="last-reviewed">{membership.lastReviewedOn ?? '—'}</dd></div>
            <div><dt>Next review due</dt><dd>{membership.nextReviewDue ?? '—'}</dd></div>
            <div><dt>Removal notice</dt><dd data-testid="removal-notice">{membership.removalNoticeOn ?? '—'}</dd></div>
            {['PRIMARY', 'ADMINISTRATOR', 'SIGNER'].map((role) => (
              <div key={role}><dt>{CONTACT_ROLES[role]}</dt><dd>{held[role] ?? <em>nobody</em>}</dd></div>
            ))}
          </dl>
        </section>
        <section aria-labelledby="actions-heading" className="card">
          <h2 id="actions-heading">Decisions</h2>
          {membership.status === 'APPLICANT' && (
            <ActionForm title="Decide the application" document={DECIDE} onDone={reload}
              hint="Approval needs a Primary, an Administrator and a Signer, each affiliated with the organisation."
              inputOf={(decision) => ({ ...base, decision })}
              choices={[{ value: 'APPROVE', label: 'Approve' }, { value: 'DECLINE', label: 'Decline' }]} />
          )}
          {member && (
            <ActionForm title="Record the 12-month review" document={REVIEW} onDone={reload}
              inputOf={(outcome) => ({ ...base, outcome })}
              choices={[{ value: 'RENEWED', label: 'Renewed' }, { value: 'LAPSED', label: 'Lapsed' }]} />
          )}
          {member && (
            <ActionForm title="Record a removal notice" document={NOTICE} reasonRequired onDone={reload}
              hint="The Primary is sent the notice, with the earliest removal date."
              inputOf={() => ({ ...base })} choices={[{ value: 'NOTICE', label: 'Record removal notice' }]} />
          )}
          {member && membership.removalNoticeOn && (
            <ActionForm title="Remove the membership" document={REMOVE} reasonRequired onDone={reload}
              inputOf={() => ({ ...base })} choices={[{ value: 'REMOVE', label: 'Remove' }]} />
          )}
          {!member && membership.status !== 'APPLICANT' && <p>No decision is open for a {humanise(membership.status).toLowerCase()} membership.</p>}
        </section>
      </div>
      <Outbox key={organisation.version} organisationId={organisation.id} />
      <section aria-labelledby="history-heading" className="card">
        <h2 id="history-heading">Recent changes</h2>
        <ChangeList changes={organisation.history?.nodes ?? []} />
      </section>
    </>
  );
}
