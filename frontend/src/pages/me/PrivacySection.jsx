// Who sees what: the person's own choice, and their profile as an anonymous
// caller, a member and staff see it — asked of the API (Person.visibleAs),
// never worked out here, and asked again after every save.
import { useState } from 'react';
import UPDATE from './UpdateMyProfile.graphql?raw';
import { FormErrors, Status, errorsFor } from '../shared/forms.jsx';
import { StaleVersion } from '../shared/StaleVersion.jsx';
import { useSave } from '../shared/useSave.js';

const CHOICES = [
  { value: 'PUBLIC', label: 'Everyone', hint: 'Anyone, signed in or not, sees your e-mail and ORCID iD.' },
  { value: 'MEMBERS', label: 'Members', hint: 'Signed-in members and staff see them; anonymous visitors do not.' },
  { value: 'STAFF', label: 'Staff only', hint: 'Only the alliance staff (and you) see them.' },
];

const CALLERS = [
  { key: 'asAnonymous', label: 'Anonymous visitor', caller: 'ANONYMOUS' },
  { key: 'asMember', label: 'A member', caller: 'MEMBER' },
  { key: 'asStaff', label: 'Staff', caller: 'STAFF' },
];

function Value({ value, hidden }) {
  if (value) return <>{value}</>;
  return <em>{hidden ? 'hidden' : 'not on file'}</em>;
}

function Preview({ label, caller, seen }) {
  const hidden = new Set(seen?.hiddenContactDetails ?? []);
  return (
    <div className="preview" data-preview={caller}>
      <h4>{label}</h4>
      {seen ? (
        <dl>
          <dt>Name</dt><dd>{seen.name}</dd>
          <dt>E-mail</dt><dd data-preview-field="email"><Value value={seen.email} hidden={hidden.has('EMAIL')} /></dd>
          <dt>ORCID</dt><dd data-preview-field="orcid"><Value value={seen.orcid} hidden={hidden.has('ORCID')} /></dd>
          <dt>Country</dt><dd>{seen.country?.name ?? <em>not given</em>}</dd>
          <dt>Affiliation</dt><dd>{seen.affiliation?.name ?? <em>none</em>}</dd>
        </dl>
      ) : <p>The directory gave no preview.</p>}
    </div>
  );
}

export function PrivacySection({ person, onSaved }) {
  const [choice, setChoice] = useState(person.contactVisibility ?? 'STAFF');
  const [stale, setStale] = useState(false);
  const { save, busy, userErrors, problem, done } = useSave(UPDATE);

  async function submit(event, version = person.version) {
    event?.preventDefault();
    const result = await save({ input: { id: person.id, expectedVersion: version, patch: { contactVisibility: choice } } },
      'Saved: the preview below shows it.');
    setStale(result.stale);
    if (result.ok || result.stale) onSaved();
  }

  const errors = errorsFor(userErrors, 'contactVisibility');
  return (
    <section className="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Who sees what</h2>
      <form onSubmit={submit}>
        <fieldset aria-describedby={errors.length ? 'privacy-errors' : undefined}>
          <legend>Who may see your e-mail and ORCID iD</legend>
          {CHOICES.map((option) => (
            <div className="field checkbox" key={option.value}>
              <input type="radio" id={`visibility-${option.value}`} name="contactVisibility" value={option.value}
                checked={choice === option.value} onChange={() => setChoice(option.value)}
                aria-describedby={`visibility-${option.value}-hint`} />
              <label htmlFor={`visibility-${option.value}`}>{option.label}</label>
              <p className="hint" id={`visibility-${option.value}-hint`}>{option.hint}</p>
            </div>
          ))}
          {errors.length > 0 && (
            <ul className="field-errors" id="privacy-errors">{errors.map((e, i) => <li key={i}>{e.message}</li>)}</ul>
          )}
        </fieldset>
        {stale && (
          <StaleVersion current={{ contactVisibility: person.contactVisibility }} mine={{ contactVisibility: choice }}
            labels={{ contactVisibility: 'Who sees your contact details' }} onReapply={() => submit(null, person.version)} />
        )}
        <FormErrors userErrors={stale ? [] : userErrors} shownAt={['contactVisibility']} problem={problem} />
        <div className="actions">
          <button type="submit" disabled={busy || choice === person.contactVisibility}>Save who sees what</button>
          <Status>{done}</Status>
        </div>
      </form>
      <h3 id="preview-title">Your profile as others see it now</h3>
      <div className="previews" aria-labelledby="preview-title" data-saved-visibility={person.contactVisibility}>
        {CALLERS.map((c) => <Preview key={c.key} label={c.label} caller={c.caller} seen={person[c.key]} />)}
      </div>
    </section>
  );
}
