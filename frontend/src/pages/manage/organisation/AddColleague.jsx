import { useState } from 'react';
import { TextField, errorsFor, FormErrors } from '../../shared/forms.jsx';
import { useSave } from '../../shared/useSave.js';
import ADD from './AddColleague.graphql?raw';

const EMPTY = { givenName: '', familyName: '', email: '' };

/** A new person affiliated with the organisation; their e-mail stays pending until they confirm it. */
export function AddColleague({ organisation, onAdded }) {
  const [form, setForm] = useState(EMPTY);
  const [added, setAdded] = useState(null);
  const add = useSave(ADD);

  async function submit(event) {
    event.preventDefault();
    const input = { givenName: form.givenName, familyName: form.familyName, affiliation: organisation.id };
    if (form.email.trim()) input.email = form.email.trim();
    const { ok, payload } = await add.save({ input });
    if (ok) {
      setAdded(payload.person.name);
      setForm(EMPTY);
      onAdded();
    }
  }

  const field = (name, label, type = 'text') => (
    <TextField
      label={label}
      name={name}
      type={type}
      value={form[name]}
      onChange={(given) => { setAdded(null); setForm((previous) => ({ ...previous, [name]: given })); }}
      errors={errorsFor(add.userErrors, name)}
    />
  );
  return (
    <section aria-labelledby="colleague-heading" className="card">
      <h2 id="colleague-heading">Add a colleague</h2>
      <form onSubmit={submit}>
        {field('givenName', 'Given name')}
        {field('familyName', 'Family name')}
        {field('email', 'E-mail (they confirm it from a link we send)', 'email')}
        <FormErrors userErrors={add.userErrors} shownAt={['givenName', 'familyName', 'email']} problem={add.problem} />
        <div className="actions">
          <button type="submit" disabled={add.busy}>Add colleague</button>
          {added && <p role="status">{added} was added to {organisation.name}.</p>}
        </div>
      </form>
    </section>
  );
}
