// The application itself: the organisation's profile. Sent as
// createOrganisation with the person's own session, so the API makes it an
// APPLICANT and the person its Primary.
import { useState } from 'react';
import APPLY from './ApplyForOrganisation.graphql?raw';
import { CheckboxField, FormErrors, SelectField, TextField, errorsFor } from '../shared/forms.jsx';
import { useSave } from '../shared/useSave.js';
import { humanise } from '../shared/words.js';

const KINDS = ['ACADEMIC', 'CORPORATION', 'NOT_FOR_PROFIT', 'PARTNERSHIP', 'GOVERNMENT', 'HEALTHCARE_PROVIDER'];
const SECTORS = ['HEALTHCARE', 'RESEARCH', 'PATIENT_ADVOCACY', 'LIFE_SCIENCE', 'INFORMATION_TECHNOLOGY', 'FUNDING', 'POLICY_AND_ETHICS'];
const FIELDS = ['name', 'slug', 'kind', 'country', 'website', 'city', 'rorId', 'sectors'];

function slugOf(name) {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}

export function OrganisationForm({ countries, onApplied }) {
  const [form, setForm] = useState({ name: '', slug: '', kind: '', country: '', website: '', city: '', rorId: '', sectors: [] });
  const [slugEdited, setSlugEdited] = useState(false);
  const { save, busy, userErrors: apiErrors, problem } = useSave(APPLY);
  // The kind is an enum the request cannot even carry empty; said here, at its field, as the API would.
  const [kindMissing, setKindMissing] = useState(false);
  const userErrors = kindMissing
    ? [...apiErrors, { field: ['input', 'kind'], message: 'Choose the kind of organisation.', code: 'INVALID' }]
    : apiErrors;
  const set = (name) => (value) => setForm((previous) => ({
    ...previous, [name]: value, ...(name === 'name' && !slugEdited ? { slug: slugOf(value) } : {}),
  }));

  async function submit(event) {
    event.preventDefault();
    setKindMissing(!form.kind);
    if (!form.kind) return;
    const input = { name: form.name, slug: form.slug, kind: form.kind, country: form.country,
      sectors: form.sectors, website: form.website || null, city: form.city || null, rorId: form.rorId || null };
    const result = await save({ input });
    if (result.ok) onApplied(result.payload.organisation);
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="apply-title">
      <h2 id="apply-title">Your organisation</h2>
      <TextField label="Organisation name" name="name" value={form.name} onChange={set('name')} errors={errorsFor(userErrors, 'name')} autoComplete="organization" />
      <TextField label="Short name for its address (slug)" name="slug" value={form.slug}
        onChange={(value) => { setSlugEdited(true); set('slug')(value); }} errors={errorsFor(userErrors, 'slug')}
        hint="Lower-case letters, digits and hyphens; its page will be /manage/organisations/<slug>." />
      <SelectField label="Kind" name="kind" value={form.kind} onChange={set('kind')} none="(choose)"
        options={KINDS.map((k) => ({ value: k, label: humanise(k) }))} errors={errorsFor(userErrors, 'kind')} />
      <SelectField label="Country" name="country" value={form.country} onChange={set('country')} none="(choose)"
        options={countries.map((c) => ({ value: c.code, label: c.name }))} errors={errorsFor(userErrors, 'country')} />
      <TextField label="Website" name="website" type="url" value={form.website} onChange={set('website')} errors={errorsFor(userErrors, 'website')} hint="https://…" />
      <TextField label="City" name="city" value={form.city} onChange={set('city')} errors={errorsFor(userErrors, 'city')} />
      <TextField label="ROR id (optional)" name="rorId" value={form.rorId} onChange={set('rorId')} errors={errorsFor(userErrors, 'rorId')} hint="Research Organization Registry, e.g. https://ror.org/03yrm5c26" />
      <fieldset>
        <legend>Sectors</legend>
        {SECTORS.map((sector) => (
          <CheckboxField key={sector} name="sectors" value={sector} label={humanise(sector)} checked={form.sectors.includes(sector)}
            onChange={(on) => set('sectors')(on ? [...form.sectors, sector] : form.sectors.filter((s) => s !== sector))} />
        ))}
        {errorsFor(userErrors, 'sectors').map((e, i) => <p className="field-errors" key={i}>{e.message}</p>)}
      </fieldset>
      <FormErrors userErrors={userErrors} shownAt={FIELDS} problem={problem} />
      <button type="submit" disabled={busy}>Apply for membership</button>
    </form>
  );
}
