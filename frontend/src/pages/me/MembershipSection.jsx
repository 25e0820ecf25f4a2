// Individual membership: apply (accepting the Constitution and the Member
// Agreement in the versions in force, as Query.agreementVersions names them;
// the API records them with the application), the status and its history,
// and "Cancel Individual Membership" after a confirmation that says what happens.
import { useEffect, useRef, useState } from 'react';
import APPLY from './ApplyForIndividualMembership.graphql?raw';
import CANCEL from './CancelIndividualMembership.graphql?raw';
import { CheckboxField, FormErrors, Status, errorsFor } from '../shared/forms.jsx';
import { useSave } from '../shared/useSave.js';
import { day, humanise } from '../shared/words.js';

// The texts an applicant accepts, by their field in AgreementVersions.
const AGREEMENTS = [
  { name: 'constitution', title: 'the Constitution' },
  { name: 'memberAgreement', title: 'the Member Agreement' },
];

/** What an application accepted, as the history's note shows it. */
function acceptedText(accepted) {
  return accepted ? `Accepted the Constitution (version ${accepted.constitution}) and the Member Agreement `
    + `(version ${accepted.memberAgreement}).` : '';
}

const MAY_APPLY = new Set([undefined, 'DECLINED', 'CANCELLED']);
const MAY_CANCEL = new Set(['APPLICANT', 'ACTIVE']);

function Apply({ person, versions, onSaved }) {
  const [accepted, setAccepted] = useState({});
  const [missing, setMissing] = useState(null);
  const { save, busy, userErrors, problem } = useSave(APPLY);
  async function submit(event) {
    event.preventDefault();
    const notYet = AGREEMENTS.filter((a) => !accepted[a.name]);
    setMissing(notYet.length ? `To apply, accept ${notYet.map((a) => a.title).join(' and ')}.` : null);
    if (notYet.length) return;
    const acceptedAgreements = { constitution: versions.constitution, memberAgreement: versions.memberAgreement };
    const result = await save({ input: { personId: person.id, expectedVersion: person.version, acceptedAgreements } });
    // A text in force changed since the page was read: read the new version, and accept it anew.
    const outdated = AGREEMENTS.filter((a) => errorsFor(result.userErrors, a.name).length);
    if (outdated.length) setAccepted((previous) => ({ ...previous, ...Object.fromEntries(outdated.map((a) => [a.name, false])) }));
    if (result.ok || result.stale || outdated.length) onSaved();
  }
  return (
    <form onSubmit={submit} aria-labelledby="apply-individual-title">
      <h3 id="apply-individual-title">Apply for individual membership</h3>
      {AGREEMENTS.map((agreement) => (
        <CheckboxField key={agreement.name} name={agreement.name} checked={!!accepted[agreement.name]}
          label={`I accept ${agreement.title} (version ${versions[agreement.name]}).`}
          errors={errorsFor(userErrors, agreement.name)}
          onChange={(on) => setAccepted((previous) => ({ ...previous, [agreement.name]: on }))} />
      ))}
      <FormErrors userErrors={userErrors} shownAt={AGREEMENTS.map((a) => a.name)} problem={missing ?? problem} />
      <button type="submit" disabled={busy}>Apply for individual membership</button>
    </form>
  );
}

function Cancel({ person, onSaved }) {
  const [confirming, setConfirming] = useState(false);
  const heading = useRef(null);
  const { save, busy, userErrors, problem } = useSave(CANCEL);
  useEffect(() => { if (confirming) heading.current?.focus(); }, [confirming]);

  async function cancel() {
    const result = await save({ input: { personId: person.id, expectedVersion: person.version, reason: 'Cancelled from my profile.' } });
    if (result.ok) setConfirming(false);
    if (result.ok || result.stale) onSaved();
  }

  if (!confirming) {
    return (
      <div className="actions">
        <button type="button" className="danger" onClick={() => setConfirming(true)}>Cancel Individual Membership</button>
      </div>
    );
  }
  return (
    <div className="confirm" role="group" aria-labelledby="cancel-confirm-title" data-confirm="cancel-individual">
      <h3 id="cancel-confirm-title" tabIndex={-1} ref={heading}>Cancel your individual membership?</h3>
      <p>
        Your individual membership ends today: its status becomes <strong>Cancelled</strong>, and the change is kept in
        your membership history. Your profile, the roles you hold for your organisation and your working-group tenures stay
        as they are, and you can apply again later.
      </p>
      <FormErrors userErrors={userErrors} shownAt={[]} problem={problem} />
      <div className="actions">
        <button type="button" className="danger" onClick={cancel} disabled={busy}>Yes, cancel my individual membership</button>
        <button type="button" className="secondary" onClick={() => setConfirming(false)}>Keep my membership</button>
      </div>
    </div>
  );
}

export function MembershipSection({ person, agreementVersions, onSaved }) {
  const membership = person.individualMembership;
  const status = membership?.status;
  return (
    <section className="card" aria-labelledby="membership-title">
      <h2 id="membership-title">Individual membership</h2>
      <p data-individual-status={status ?? 'NONE'}>
        {membership
          ? <>Status: <strong>{humanise(status)}</strong>{membership.since ? ` since ${day(membership.since)}` : ''}.</>
          : 'You are not an individual member.'}
      </p>
      {membership?.history?.length > 0 && (
        <div className="scroll" tabIndex={0} role="region" aria-label="Membership history">
          <table>
            <caption className="visually-hidden">Membership history</caption>
            <thead><tr><th scope="col">Date</th><th scope="col">Status</th><th scope="col">Note</th></tr></thead>
            <tbody>
              {membership.history.map((change, index) => (
                <tr key={index}><td>{day(change.on)}</td><td>{humanise(change.status)}</td>
                  <td>{[change.reason, acceptedText(change.acceptedAgreements)].filter(Boolean).join(' ')}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {MAY_APPLY.has(status) && <Apply person={person} versions={agreementVersions} onSaved={onSaved} />}
      {MAY_CANCEL.has(status) && <Cancel key={status} person={person} onSaved={onSaved} />}
      <Status>{status === 'CANCELLED' ? 'Your individual membership is cancelled.' : null}</Status>
    </section>
  );
}
