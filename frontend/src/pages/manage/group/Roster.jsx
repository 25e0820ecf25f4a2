import { useState } from 'react';
import { TextField, errorsFor, FormErrors } from '../../shared/forms.jsx';
import { useSave } from '../../shared/useSave.js';
import { INVITABLE_ROLES, ROSTER_ROLES, todayUtc } from '../vocabulary.js';
import END from './EndRosterEntry.graphql?raw';

/** Ending one tenure: the last day served (today unless said otherwise), then the API's answer. */
function EndTenure({ entry, onEnded }) {
  const [open, setOpen] = useState(false);
  const [until, setUntil] = useState(todayUtc());
  const end = useSave(END);
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        End tenure<span className="visually-hidden"> of {entry.person.name}</span>
      </button>
    );
  }
  async function send(event) {
    event.preventDefault();
    const { ok, stale } = await end.save({ input: { entryId: entry.id, expectedVersion: entry.version, until } });
    if (ok) setOpen(false);
    if (ok || stale) onEnded(); // a stale refusal: read the roster again, the form stays open
  }
  return (
    <form className="inline-form" onSubmit={send}>
      <TextField label={`Last day ${entry.person.name} serves`} name="until" type="date" value={until}
        onChange={(given) => setUntil(given)} errors={errorsFor(end.userErrors, 'until')} />
      <FormErrors userErrors={end.userErrors} shownAt={['until']} problem={end.problem} />
      <button type="submit" disabled={end.busy}>End tenure</button>
      <button type="button" className="secondary" onClick={() => setOpen(false)}>Go back</button>
    </form>
  );
}

export function Roster({ group, canChair, staff, onChanged }) {
  const entries = group.roster.nodes;
  return (
    <section aria-labelledby="roster-heading" className="card">
      <h2 id="roster-heading">Roster ({group.roster.totalCount})</h2>
      <div className="scroll" tabIndex={0} role="region" aria-label="Roster">
        <table data-testid="roster">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">Until</th>
              {canChair && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} className={entry.active ? '' : 'past'} data-person={entry.person.id}>
                <td>
                  {entry.person.name}
                  {entry.person.affiliation && <span className="muted"> · {entry.person.affiliation.name}</span>}
                </td>
                <td>{ROSTER_ROLES[entry.role]}</td>
                <td>{entry.since}</td>
                <td>{entry.until ?? (entry.active ? 'serving' : '—')}</td>
                {canChair && (
                  <td>
                    {entry.active && !entry.until && (staff || INVITABLE_ROLES.includes(entry.role)) && (
                      <EndTenure entry={entry} onEnded={onChanged} />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {group.roster.totalCount > entries.length && (
        <p className="muted">The first {entries.length} tenures are listed, chairs first.</p>
      )}
    </section>
  );
}
