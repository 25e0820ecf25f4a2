import { FormErrors } from '../../shared/forms.jsx';
import { useEffect, useState } from 'react';
import { Failure } from '../Errors.jsx';
import { useSave } from '../../shared/useSave.js';
import ASSIGN from './AssignRoleContact.graphql?raw';
import REMOVE from './RemoveRoleContact.graphql?raw';

/**
 * Working groups × the organisation's people: a ticked cell is a COMMUNICATIONS
 * contact (the person receives that group's updates for the organisation). Each
 * change is one mutation at the organisation's version; the grid waits for it.
 */
export function CommunicationsGrid({ organisation, people, groups, canEdit, onChanged }) {
  const assign = useSave(ASSIGN);
  const remove = useSave(REMOVE);
  const [last, setLast] = useState(null);
  // The version the last change here answered, so a next click needs no reload first.
  const [answered, setAnswered] = useState(0);
  // Cells changed here and not yet read back: shown as asked until the page's data agrees.
  const [pending, setPending] = useState({});
  const busy = assign.busy || remove.busy;
  const held = new Map(
    organisation.contacts
      .filter((c) => c.role === 'COMMUNICATIONS' && c.workingGroup)
      .map((c) => [`${c.workingGroup.id}|${c.person.id}`, c]),
  );
  const heldKeys = [...held.keys()].sort().join(',');
  useEffect(() => {
    const now = new Set(heldKeys.split(','));
    setPending((previous) => Object.fromEntries(Object.entries(previous).filter(([cell, on]) => now.has(cell) !== on)));
  }, [heldKeys]);

  async function toggle(group, person, on) {
    const base = { organisationId: organisation.id, expectedVersion: Math.max(answered, organisation.version) };
    setLast(null);
    assign.clear();
    remove.clear();
    const cell = `${group.id}|${person.id}`;
    const contact = held.get(cell);
    setPending((previous) => ({ ...previous, [cell]: on }));
    const { ok, payload } = on
      ? await assign.save({ input: { ...base, role: 'COMMUNICATIONS', personId: person.id, workingGroupId: group.id } })
      : await remove.save({ input: { ...base, contactId: contact.id } });
    if (ok) {
      setAnswered(payload.organisation.version);
      setLast(`${person.name} ${on ? 'now receives' : 'no longer receives'} ${group.name} updates.`);
    } else {
      setPending((previous) => Object.fromEntries(Object.entries(previous).filter(([key]) => key !== cell)));
    }
    onChanged();
  }

  const errors = [...assign.userErrors, ...remove.userErrors];
  return (
    <section aria-labelledby="comms-heading" className="card">
      <h2 id="comms-heading">Communications contacts</h2>
      <p className="muted">Who receives each active working group&apos;s updates for {organisation.name}.</p>
      {!people.length ? (
        <p>Nobody is affiliated with the organisation yet.</p>
      ) : (
        <div className="scroll" tabIndex={0} role="region" aria-label="Communications contacts grid">
          <table className="grid-table">
            <thead>
              <tr>
                <th scope="col">Working group</th>
                {people.map((person) => <th scope="col" key={person.id}>{person.name}</th>)}
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={group.id}>
                  <th scope="row">{group.name}</th>
                  {people.map((person) => {
                    const cell = `${group.id}|${person.id}`;
                    const on = cell in pending ? pending[cell] : held.has(cell);
                    return (
                      <td key={person.id}>
                        {canEdit ? (
                          <input
                            type="checkbox"
                            checked={on}
                            disabled={busy}
                            aria-label={`${person.name} receives ${group.name}`}
                            data-cell={`${group.slug}|${person.id}`}
                            onChange={(event) => toggle(group, person, event.target.checked)}
                          />
                        ) : (
                          <span>{on ? 'Yes' : <span className="muted">—</span>}</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormErrors userErrors={errors} shownAt={[]} />
      <Failure message={assign.problem || remove.problem} />
      {last && <p role="status">{last}</p>}
    </section>
  );
}
