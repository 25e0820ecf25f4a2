// The groups whose updates the person receives: a checkbox for each active
// working group (their own subscriptions, Person.subscriptions), and those their
// organisation assigned them to, marked as such (the organisation changes those,
// not the person). Saving sends the own subscriptions only, those also assigned
// included: it never touches an assignment, and never drops an own subscription.
import { useEffect, useRef, useState } from 'react';
import SET from './SetMyCommunications.graphql?raw';
import { CheckboxField, FormErrors, Status } from '../shared/forms.jsx';
import { StaleVersion } from '../shared/StaleVersion.jsx';
import { useSave } from '../shared/useSave.js';

function assignedBy(person) {
  const map = new Map();
  for (const role of person.roles ?? []) {
    if (role.role === 'COMMUNICATIONS' && role.workingGroup) map.set(role.workingGroup.id, role.organisation.name);
  }
  return map;
}

function ownOf(person) {
  return new Set((person.subscriptions ?? []).map((g) => g.id));
}

export function CommunicationsSection({ person, workingGroups, onSaved }) {
  const assigned = assignedBy(person);
  const [chosen, setChosen] = useState(() => ownOf(person));
  const [stale, setStale] = useState(false);
  const resync = useRef(false);
  const { save, busy, userErrors, problem, done } = useSave(SET);

  useEffect(() => {
    if (resync.current) {
      resync.current = false;
      setChosen(ownOf(person));
    }
  }, [person]);

  const groups = [...workingGroups];
  for (const group of person.communications ?? []) if (!groups.some((g) => g.id === group.id)) groups.push(group);
  groups.sort((a, b) => a.name.localeCompare(b.name));

  async function submit(event, version = person.version) {
    event?.preventDefault();
    const result = await save({ input: { personId: person.id, expectedVersion: version, workingGroupIds: [...chosen] } });
    setStale(result.stale);
    if (result.ok) resync.current = true;
    if (result.ok || result.stale) onSaved();
  }

  function toggle(id, on) {
    setChosen((previous) => {
      const next = new Set(previous);
      if (on) next.add(id); else next.delete(id);
      return next;
    });
  }

  const names = (ids) => groups.filter((g) => ids.has(g.id)).map((g) => g.name);
  return (
    <section className="card" aria-labelledby="communications-title">
      <h2 id="communications-title">Communications</h2>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Receive updates from these working groups</legend>
          {groups.length === 0 && <p>No working group is active.</p>}
          {groups.map((group) => (
            assigned.has(group.id) ? (
              <CheckboxField key={group.id} name="workingGroupIds" value={group.id} label={group.name} checked disabled
                hint={`Assigned by ${assigned.get(group.id)}: its Primary or Administrator changes this.`} />
            ) : (
              <CheckboxField key={group.id} name="workingGroupIds" value={group.id} label={group.name}
                checked={chosen.has(group.id)} onChange={(on) => toggle(group.id, on)} />
            )
          ))}
        </fieldset>
        {stale && (
          <StaleVersion current={{ subscriptions: names(ownOf(person)) }} mine={{ subscriptions: names(chosen) }}
            labels={{ subscriptions: 'Your subscriptions' }} onReapply={() => submit(null, person.version)} />
        )}
        <FormErrors userErrors={stale ? [] : userErrors} shownAt={[]} problem={problem} />
        <div className="actions">
          <button type="submit" disabled={busy}>Save communications</button>
          <Status>{done}</Status>
        </div>
      </form>
    </section>
  );
}
