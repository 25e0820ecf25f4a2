// Name, e-mail (a change waits for the link sent to the new address), ORCID,
// country; the affiliation as staff recorded it. Every refusal is the API's,
// shown at its field; STALE_VERSION shows what changed meanwhile.
import { useEffect, useRef, useState } from 'react';
import UPDATE from './UpdateMyProfile.graphql?raw';
import { FormErrors, SelectField, Status, TextField, errorsFor } from '../shared/forms.jsx';
import { StaleVersion } from '../shared/StaleVersion.jsx';
import { useSave } from '../shared/useSave.js';
import { day } from '../shared/words.js';

const FIELDS = ['givenName', 'familyName', 'email', 'orcid', 'country'];
const LABELS = { givenName: 'Given name', familyName: 'Family name', email: 'E-mail', orcid: 'ORCID iD', country: 'Country' };

function fromPerson(person) {
  return {
    givenName: person.givenName ?? '',
    familyName: person.familyName ?? '',
    email: person.email ?? '',
    orcid: person.orcid ?? '',
    country: person.country?.code ?? '',
  };
}

export function ProfileSection({ person, countries, onSaved }) {
  const [form, setForm] = useState(() => fromPerson(person));
  const [base, setBase] = useState(() => fromPerson(person));
  const [stale, setStale] = useState(false);
  const resync = useRef(false);
  const { save, busy, userErrors, problem, done } = useSave(UPDATE);

  // After a successful save the form shows the record as saved; after any
  // refusal it keeps the person's input.
  useEffect(() => {
    if (resync.current) {
      resync.current = false;
      setForm(fromPerson(person));
      setBase(fromPerson(person));
    }
  }, [person]);

  const saved = fromPerson(person);
  const edits = Object.fromEntries(FIELDS.filter((name) => form[name] !== base[name]).map((name) => [name, form[name]]));

  async function submit(event, version = person.version) {
    event?.preventDefault();
    const patch = Object.fromEntries(Object.entries(edits).map(([name, value]) => [name, value === '' ? null : value]));
    const result = await save({ input: { id: person.id, expectedVersion: version, patch } });
    setStale(result.stale);
    if (result.ok) resync.current = true;
    if (result.ok || result.stale) onSaved();
  }

  const set = (name) => (value) => setForm((previous) => ({ ...previous, [name]: value }));
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <form onSubmit={submit} noValidate>
        <TextField label="Given name" name="givenName" value={form.givenName} onChange={set('givenName')}
          errors={errorsFor(userErrors, 'givenName')} autoComplete="given-name" />
        <TextField label="Family name" name="familyName" value={form.familyName} onChange={set('familyName')}
          errors={errorsFor(userErrors, 'familyName')} autoComplete="family-name" />
        <TextField label="E-mail" name="email" type="email" value={form.email} onChange={set('email')}
          errors={errorsFor(userErrors, 'email')} autoComplete="email"
          hint="A new address takes effect once you follow the link we send to it." />
        {person.pendingEmail && (
          <p className="pending-email" data-pending-email={person.pendingEmail.address}>
            Waiting for confirmation: <strong>{person.pendingEmail.address}</strong> (the link expires {day(person.pendingEmail.expiresAt)}).
          </p>
        )}
        <TextField label="ORCID iD" name="orcid" value={form.orcid} onChange={set('orcid')}
          errors={errorsFor(userErrors, 'orcid')} hint="16 digits, e.g. 0000-0002-1825-0097" />
        <SelectField label="Country" name="country" value={form.country} onChange={set('country')} none="(not given)"
          options={countries.map((country) => ({ value: country.code, label: country.name }))}
          errors={errorsFor(userErrors, 'country')} />
        <p className="read-only" data-affiliation={person.affiliation?.slug ?? ''}>
          <strong>Affiliation</strong> (recorded by staff): {person.affiliation?.name ?? 'none'}
        </p>
        {stale && (
          <StaleVersion current={saved} mine={edits} base={base} labels={LABELS}
            onReapply={() => { setBase(saved); submit(null, person.version); }} />
        )}
        <FormErrors userErrors={stale ? userErrors.filter((e) => e.code !== 'STALE_VERSION') : userErrors}
          shownAt={FIELDS} problem={problem} />
        <div className="actions">
          <button type="submit" disabled={busy || !Object.keys(edits).length}>Save profile</button>
          <Status>{done}</Status>
        </div>
      </form>
    </section>
  );
}
