// Before staff can approve an application it needs its three role contacts:
// the Primary (the applicant, affiliated with it by applying), an Administrator
// and a Signer, each affiliated with the organisation. Colleagues are added here
// (their address waits for the link sent to it) and named to a role.
import { useState } from 'react';
import ORGANISATION from './ApplyingOrganisation.graphql?raw';
import ADD from './AddColleague.graphql?raw';
import NAME from './NameRoleContact.graphql?raw';
import { FormErrors, SelectField, Status, TextField, errorsFor } from '../shared/forms.jsx';
import { useQuery } from '../shared/useQuery.js';
import { useSave } from '../shared/useSave.js';
import { humanise } from '../shared/words.js';

const ROLES = ['PRIMARY', 'ADMINISTRATOR', 'SIGNER'];

function NameRole({ organisation, role, people, onSaved }) {
  const [personId, setPersonId] = useState('');
  const { save, busy, userErrors, problem, done } = useSave(NAME);
  async function submit(event) {
    event.preventDefault();
    const result = await save({ input: { organisationId: organisation.id, expectedVersion: organisation.version, role, personId } },
      `${humanise(role)} named.`);
    if (result.ok || result.stale) onSaved();
  }
  return (
    <form onSubmit={submit} className="inline-form" data-role-form={role}>
      <SelectField label={`${humanise(role)}`} name={`contact-${role}`} value={personId} onChange={setPersonId} none="(choose a colleague)"
        options={people.map((p) => ({ value: p.id, label: p.name }))} errors={errorsFor(userErrors, 'personId')} />
      <FormErrors userErrors={userErrors} shownAt={['personId']} problem={problem} />
      <div className="actions">
        <button type="submit" disabled={busy || !personId}>Name {humanise(role)}</button>
        <Status>{done}</Status>
      </div>
    </form>
  );
}

function AddColleague({ organisation, onSaved }) {
  const [form, setForm] = useState({ givenName: '', familyName: '', email: '' });
  const { save, busy, userErrors, problem, done } = useSave(ADD);
  const set = (name) => (value) => setForm((previous) => ({ ...previous, [name]: value }));
  async function submit(event) {
    event.preventDefault();
    const result = await save({ input: { ...form, email: form.email || null, affiliation: organisation.id } },
      'Colleague added: we sent a link to confirm their address.');
    if (result.ok) {
      setForm({ givenName: '', familyName: '', email: '' });
      onSaved();
    }
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="add-colleague-title">
      <h3 id="add-colleague-title">Add a colleague</h3>
      <TextField label="Given name" name="givenName" value={form.givenName} onChange={set('givenName')} errors={errorsFor(userErrors, 'givenName')} />
      <TextField label="Family name" name="familyName" value={form.familyName} onChange={set('familyName')} errors={errorsFor(userErrors, 'familyName')} />
      <TextField label="E-mail" name="email" type="email" value={form.email} onChange={set('email')} errors={errorsFor(userErrors, 'email')} />
      <FormErrors userErrors={userErrors} shownAt={['givenName', 'familyName', 'email']} problem={problem} />
      <div className="actions">
        <button type="submit" disabled={busy}>Add colleague</button>
        <Status>{done}</Status>
      </div>
    </form>
  );
}

export function RoleContacts({ slug }) {
  const answer = useQuery(ORGANISATION, { slug });
  const organisation = answer.data?.organisation;
  if (answer.state === 'error') return <p role="alert">Could not load the application: {answer.error}</p>;
  if (!organisation) return answer.state === 'loading' ? <p aria-busy="true">Loading the application…</p> : <p>No application {slug}.</p>;
  const holders = Object.fromEntries(ROLES.map((role) => [role, (organisation.contacts ?? []).filter((c) => c.role === role)]));
  const people = organisation.people?.nodes ?? [];
  return (
    <section className="card" aria-labelledby={`contacts-${organisation.id}`} data-application={organisation.slug}>
      <h2 id={`contacts-${organisation.id}`}>Role contacts of {organisation.name}</h2>
      <p>Status: <strong>{humanise(organisation.membership.status)}</strong>. Staff approve an application once it names
        a Primary, an Administrator and a Signer, each affiliated with the organisation. You are its Primary, affiliated
        with it since you applied: name the other two here, nothing is asked of staff before their decision.</p>
      <table>
        <caption className="visually-hidden">Role contacts</caption>
        <thead><tr><th scope="col">Role</th><th scope="col">Named</th></tr></thead>
        <tbody>
          {ROLES.map((role) => (
            <tr key={role} data-role={role}>
              <th scope="row">{humanise(role)}</th>
              <td>{holders[role].length ? holders[role].map((c) => c.person.name).join(', ') : <em>not named yet</em>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {organisation.membership.status === 'APPLICANT' && (
        <>
          {['ADMINISTRATOR', 'SIGNER'].map((role) => (
            <NameRole key={role} organisation={organisation} role={role} people={people} onSaved={answer.reload} />
          ))}
          <AddColleague organisation={organisation} onSaved={answer.reload} />
        </>
      )}
    </section>
  );
}
