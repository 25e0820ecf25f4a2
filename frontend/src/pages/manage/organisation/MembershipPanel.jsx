import { useState } from 'react';
import { TextField, errorsFor, FormErrors } from '../../shared/forms.jsx';
import { useSave } from '../../shared/useSave.js';
import { humanise } from '../../shared/words.js';

import CANCEL from './CancelMembership.graphql?raw';
import WITHDRAW from './WithdrawApplication.graphql?raw';

/**
 * A step the organisation cannot take back: a button that opens a confirmation
 * naming what happens, with an optional reason kept in the membership history.
 */
function Irreversible({ organisation, document, inputOf, opener, consequence, confirm, onDone }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const mutation = useSave(document);
  async function send(event) {
    event.preventDefault();
    const input = inputOf(organisation);
    if (reason.trim()) input.reason = reason;
    const { ok, stale } = await mutation.save({ input });
    if (ok) setOpen(false);
    if (ok || stale) onDone(); // a stale refusal: read the record again, the form stays open
  }
  if (!open) return <button type="button" className="danger" onClick={() => setOpen(true)}>{opener}</button>;
  return (
    <form className="confirm" onSubmit={send} aria-label={opener}>
      <p>{consequence}</p>
      <TextField label="Reason (optional, kept in the membership history)" name="reason" value={reason}
        onChange={(given) => setReason(given)} errors={errorsFor(mutation.userErrors, 'reason')} />
      <FormErrors userErrors={mutation.userErrors} shownAt={['reason']} problem={mutation.problem} />
      <button type="submit" className="danger" disabled={mutation.busy}>{confirm}</button>
      <button type="button" className="secondary" onClick={() => setOpen(false)}>Go back</button>
    </form>
  );
}

export function MembershipPanel({ organisation, isPrimary, onChanged }) {
  const { membership } = organisation;
  const applicant = membership.status === 'APPLICANT';
  const member = membership.status === 'ACTIVE' || membership.status === 'LAPSED';
  return (
    <section aria-labelledby="membership-heading" className="card">
      <h2 id="membership-heading">{applicant ? 'Application' : 'Membership'}</h2>
      <dl className="facts">
        <div><dt>Status</dt><dd data-testid="membership-status">{humanise(membership.status)}</dd></div>
        {applicant && <div><dt>Applied on</dt><dd>{membership.history[0]?.on ?? '—'}</dd></div>}
        {!applicant && <div><dt>Joined</dt><dd>{membership.joinedOn ?? '—'}</dd></div>}
        {!applicant && <div><dt>Last reviewed</dt><dd>{membership.lastReviewedOn ?? '—'}</dd></div>}
        {!applicant && <div><dt>Next review due</dt><dd>{membership.nextReviewDue ?? '—'}</dd></div>}
        {membership.removalNoticeOn && (
          <div><dt>Removal notice</dt><dd>given on {membership.removalNoticeOn}; contact staff</dd></div>
        )}
      </dl>
      {applicant && (
        <p className="muted">
          Staff approve an application once the Primary, Administrator and Signer are named, each affiliated with
          the organisation.
        </p>
      )}
      <h3>History</h3>
      <ol className="history">
        {membership.history.map((change, index) => (
          <li key={index}>
            {change.on}: {humanise(change.status)}{change.reason ? ` — ${change.reason}` : ''}
          </li>
        ))}
      </ol>
      {isPrimary && member && (
        <Irreversible
          organisation={organisation}
          document={CANCEL}
          inputOf={(o) => ({ organisationId: o.id, expectedVersion: o.version })}
          opener="Cancel membership…"
          consequence={`${organisation.name} stops being a member today (status CANCELLED). Its role contacts stay on
            record; joining again is a new application.`}
          confirm="Yes, cancel our membership"
          onDone={onChanged}
        />
      )}
      {isPrimary && applicant && (
        <Irreversible
          organisation={organisation}
          document={WITHDRAW}
          inputOf={(o) => ({ organisation: o.id, expectedVersion: o.version })}
          opener="Withdraw application…"
          consequence={`The application of ${organisation.name} is withdrawn today (status CANCELLED); staff will not
            decide on it. Applying again is a new application.`}
          confirm="Yes, withdraw the application"
          onDone={onChanged}
        />
      )}
    </section>
  );
}
