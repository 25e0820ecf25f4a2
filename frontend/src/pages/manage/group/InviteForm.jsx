import { useEffect, useRef, useState } from 'react';
import { SelectField, TextField, errorsFor, FormErrors } from '../../shared/forms.jsx';
import { request } from '../../shared/graphql.js';
import { Failure } from '../Errors.jsx';
import { useSave } from '../../shared/useSave.js';
import { INVITABLE_ROLES, ROSTER_ROLES, options, todayUtc } from '../vocabulary.js';
import INVITE from './InviteToGroup.graphql?raw';
import SEARCH from './SearchPeople.graphql?raw';

const FIELDS = ['person', 'role', 'message', 'expiresOn', 'recommendation'];

/**
 * Invite a person: find them by name, then the role, a message and when the
 * invitation expires. A recommendation's Invite button fills in the person and
 * role, and the invitation answers that recommendation.
 */
export function InviteForm({ group, staff, fromRecommendation, onInvited }) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState(null);
  const [searchFailure, setSearchFailure] = useState(null);
  const [person, setPerson] = useState(null);
  const [form, setForm] = useState({ role: 'MEMBER', message: '', expiresOn: todayUtc(30) });
  const [recommendation, setRecommendation] = useState(null);
  const [done, setDone] = useState(null);
  const invite = useSave(INVITE);
  const heading = useRef(null);

  useEffect(() => {
    if (!fromRecommendation) return;
    setPerson(fromRecommendation.person);
    setRecommendation(fromRecommendation.id);
    setForm((previous) => ({ ...previous, role: fromRecommendation.role }));
    setDone(null);
    heading.current?.focus();
  }, [fromRecommendation]);

  async function find(event) {
    event.preventDefault();
    setSearchFailure(null);
    try {
      const { data, errors } = await request(SEARCH, { search });
      if (errors?.length) setSearchFailure(errors.map((e) => e.message).join(' '));
      setFound(data?.people.nodes ?? []);
    } catch (error) {
      setSearchFailure(error.message);
    }
  }

  async function send(event) {
    event.preventDefault();
    const input = { group: group.id, person: person?.id ?? '', role: form.role };
    if (form.message.trim()) input.message = form.message;
    if (form.expiresOn) input.expiresOn = form.expiresOn;
    if (recommendation) input.recommendation = recommendation;
    const { ok, payload } = await invite.save({ input });
    if (ok) {
      setDone(`${payload.invitation.person.name} was invited; the invitation expires on ${payload.invitation.expiresOn}.`);
      setPerson(null);
      setRecommendation(null);
      setFound(null);
      setSearch('');
      setForm({ role: 'MEMBER', message: '', expiresOn: todayUtc(30) });
      onInvited();
    }
  }

  const set = (name) => (given) => setForm((previous) => ({ ...previous, [name]: given }));
  const roles = staff ? Object.keys(ROSTER_ROLES) : INVITABLE_ROLES;
  return (
    <section aria-labelledby="invite-heading" className="card">
      <h2 id="invite-heading" tabIndex={-1} ref={heading}>Invite a person</h2>
      <form onSubmit={find} className="search-form" role="search" aria-label="Find a person">
        <TextField label="Find a person by name" name="search" type="search" value={search}
          onChange={(given) => setSearch(given)} />
        <button type="submit" disabled={!search.trim()}>Search</button>
      </form>
      <Failure message={searchFailure} />
      {found && (
        <fieldset className="choices">
          <legend>People found ({found.length})</legend>
          {!found.length && <p>Nobody by that name.</p>}
          {found.map((p) => (
            <label key={p.id} className="inline">
              <input type="radio" name="invitee" value={p.id} checked={person?.id === p.id}
                onChange={() => { setPerson(p); setRecommendation(null); }} />
              {p.name}{p.affiliation ? ` (${p.affiliation.name})` : ''}
            </label>
          ))}
        </fieldset>
      )}
      <form onSubmit={send}>
        <p data-testid="invitee">
          Person: {person ? <strong>{person.name}</strong> : 'search above and choose one'}
          {recommendation && ' (answering a recommendation)'}
        </p>
        {errorsFor(invite.userErrors, 'person').map((e, i) => <p key={i} className="field-error">{e.message}</p>)}
        <SelectField label="Role" name="role" value={form.role} onChange={set('role')}
          options={options(ROSTER_ROLES, roles)} errors={errorsFor(invite.userErrors, 'role')} />
        <TextField label="Message (optional)" name="message" value={form.message} onChange={set('message')}
          errors={errorsFor(invite.userErrors, 'message')} />
        <TextField label="Expires on" name="expiresOn" type="date" value={form.expiresOn} onChange={set('expiresOn')}
          errors={errorsFor(invite.userErrors, 'expiresOn')} />
        <FormErrors userErrors={invite.userErrors} shownAt={FIELDS.filter((f) => f !== 'recommendation')} problem={invite.problem} />
        <div className="actions">
          <button type="submit" disabled={invite.busy || !person}>Send invitation</button>
          {done && <p role="status">{done}</p>}
        </div>
      </form>
    </section>
  );
}
