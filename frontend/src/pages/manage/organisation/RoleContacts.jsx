import { useState } from 'react';
import { SelectField, errorsFor, FormErrors } from '../../shared/forms.jsx';
import { useSave } from '../../shared/useSave.js';
import { refreshViewer } from '../../shared/viewer.js';
import { CONTACT_ROLES } from '../vocabulary.js';
import ASSIGN from './AssignRoleContact.graphql?raw';

const ROLES = ['PRIMARY', 'ADMINISTRATOR', 'SIGNER'];
const DUTIES = {
  PRIMARY: 'main representative; decides for the organisation',
  ADMINISTRATOR: 'keeps the profile and the contact list right',
  SIGNER: 'signs the membership agreement',
};

/**
 * One role: who holds it, and for those the API lets assign it, a choice among the
 * organisation's people. Handing over the Primary role asks for a confirmation, as
 * the person handing it over no longer decides for the organisation afterwards.
 */
function RoleRow({ role, holder, organisation, people, canAssign, onChanged }) {
  const [chosen, setChosen] = useState('');
  const [confirming, setConfirming] = useState(false);
  const assign = useSave(ASSIGN);
  const label = CONTACT_ROLES[role];
  const candidate = people.find((p) => p.id === chosen);

  async function send() {
    const { ok, stale } = await assign.save({
      input: { organisationId: organisation.id, expectedVersion: organisation.version, role, personId: chosen },
    });
    setConfirming(false);
    if (ok) {
      // A Primary or an Administrator changed: what the viewer manages may have too, so the
      // header's viewer is asked again (and the page's controls follow it), then the organisation.
      if (role === 'PRIMARY' || role === 'ADMINISTRATOR') await refreshViewer();
      setChosen('');
      onChanged();
    } else if (stale) {
      onChanged(); // read the organisation again; the choice and the message stay
    }
  }

  return (
    <li className="role-row" data-role={role}>
      <h3>{label}</h3>
      <p className="muted">{DUTIES[role]}</p>
      <p data-testid={`holder-${role}`}>{holder ? holder.person.name : <em>nobody yet</em>}</p>
      {canAssign && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (role === 'PRIMARY') setConfirming(true);
            else send();
          }}
        >
          <SelectField
            label={role === 'PRIMARY' ? 'Hand the Primary role to' : `New ${label}`}
            name={`${role.toLowerCase()}-person`}
            value={chosen}
            onChange={(given) => { setChosen(given); setConfirming(false); }}
            options={[{ value: '', label: 'Choose a person…' },
              ...people.filter((p) => p.id !== holder?.person.id).map((p) => ({ value: p.id, label: p.name }))]}
            errors={errorsFor(assign.userErrors, 'personId')}
          />
          {confirming && candidate ? (
            <div className="confirm" role="group" aria-label="Confirm the hand-over">
              <p>
                {candidate.name} becomes the Primary and decides for {organisation.name}. Unless you also hold
                the Administrator role, you will no longer be able to change this organisation.
              </p>
              <button type="button" onClick={send} disabled={assign.busy}>Yes, hand over the Primary role</button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>Keep it</button>
            </div>
          ) : (
            <button type="submit" disabled={!chosen || assign.busy}>
              {role === 'PRIMARY' ? 'Hand over…' : `Make ${label}`}
            </button>
          )}
          <FormErrors userErrors={assign.userErrors} shownAt={['personId']} problem={assign.problem} />
        </form>
      )}
    </li>
  );
}

export function RoleContacts({ organisation, people, canEdit, canHandOver, onChanged }) {
  return (
    <section aria-labelledby="roles-heading" className="card">
      <h2 id="roles-heading">Role contacts</h2>
      <ul className="roles">
        {ROLES.map((role) => (
          <RoleRow
            key={role}
            role={role}
            holder={organisation.contacts.find((c) => c.role === role)}
            organisation={organisation}
            people={people}
            canAssign={role === 'PRIMARY' ? canHandOver : canEdit}
            onChanged={onChanged}
          />
        ))}
      </ul>
    </section>
  );
}
