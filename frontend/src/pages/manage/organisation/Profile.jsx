import { useState } from 'react';
import { TextField, CheckboxField, errorsFor, FormErrors } from '../../shared/forms.jsx';
import { StaleVersion } from '../../shared/StaleVersion.jsx';
import { Failure } from '../Errors.jsx';
import { useSave } from '../../shared/useSave.js';
import { SECTORS } from '../vocabulary.js';
import UPDATE from './UpdateOrganisationProfile.graphql?raw';

const FIELDS = ['name', 'website', 'city', 'rorId', 'sectors'];
const LABELS = { name: 'Name', website: 'Website', city: 'City', rorId: 'ROR id', sectors: 'Sectors' };

function profileOf(record) {
  return Object.fromEntries(FIELDS.map((name) => [name, record[name] ?? (name === 'sectors' ? [] : '')]));
}

/** What the API's patch wants: "" means cleared (null) for the optional fields. */
function patchOf(edits) {
  return Object.fromEntries(Object.entries(edits).map(([name, value]) => [
    name, value === '' && name !== 'name' ? null : value,
  ]));
}

/**
 * The organisation's profile. Only the fields the person changed are sent, with the
 * version they started editing from; on STALE_VERSION the page shows what changed
 * meanwhile and the person reapplies their edit on the current version.
 */
export function Profile({ organisation, canEdit, onSaved }) {
  const [edits, setEdits] = useState({});
  const [base, setBase] = useState(null); // { version, profile } when editing began
  const [saved, setSaved] = useState(false);
  const [now, setNow] = useState(null); // on STALE_VERSION: the record as it is now
  const save = useSave(UPDATE);
  const shown = { ...profileOf(organisation), ...edits };

  if (!canEdit) {
    return (
      <section aria-labelledby="profile-heading" className="card">
        <h2 id="profile-heading">Profile</h2>
        <dl className="facts">
          {FIELDS.map((name) => (
            <div key={name}>
              <dt>{LABELS[name]}</dt>
              <dd>{name === 'sectors' ? shown.sectors.map((s) => SECTORS[s] ?? s).join(', ') || '—' : shown[name] || '—'}</dd>
            </div>
          ))}
        </dl>
      </section>
    );
  }

  function change(name, value) {
    if (!base) setBase({ version: organisation.version, profile: profileOf(organisation) });
    setSaved(false);
    setEdits((previous) => ({ ...previous, [name]: value }));
  }

  async function submit(version) {
    const { ok, stale, payload } = await save.save({
      input: { id: organisation.id, expectedVersion: version, patch: patchOf(edits) },
    });
    setNow(stale ? payload?.organisation ?? null : null);
    if (ok) {
      setEdits({});
      setBase(null);
      setSaved(true);
      onSaved();
    }
  }

  const current = now ? profileOf(now) : null;
  const mine = Object.fromEntries(Object.keys(edits).map((name) => [name, edits[name]]));
  return (
    <section aria-labelledby="profile-heading" className="card">
      <h2 id="profile-heading">Profile</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit(base?.version ?? organisation.version);
        }}
      >
        {['name', 'website', 'city', 'rorId'].map((name) => (
          <TextField
            key={name}
            label={LABELS[name]}
            name={name}
            value={shown[name]}
            onChange={(given) => change(name, given)}
            errors={errorsFor(save.userErrors, name)}
          />
        ))}
        <fieldset className="checkboxes">
          <legend>Sectors</legend>
          {Object.entries(SECTORS).map(([value, label]) => (
            <CheckboxField
              key={value}
              label={label}
              name={`sector-${value}`}
              checked={shown.sectors.includes(value)}
              onChange={(given) => {
                const on = given;
                change('sectors', on ? [...shown.sectors, value] : shown.sectors.filter((s) => s !== value));
              }}
            />
          ))}
          {errorsFor(save.userErrors, 'sectors').map((error, index) => (
            <p key={index} className="field-error">{error.message}</p>
          ))}
        </fieldset>
        {current ? (
          <StaleVersion
            current={current}
            base={base?.profile}
            mine={mine}
            labels={LABELS}
            onReapply={() => {
              setBase({ version: now.version, profile: current });
              submit(now.version);
            }}
          />
        ) : (
          <FormErrors userErrors={save.userErrors} shownAt={FIELDS} />
        )}
        <Failure message={save.problem} />
        <div className="actions">
          <button type="submit" data-action="save-profile" disabled={save.busy || !Object.keys(edits).length}>Save profile</button>
          {saved && <p role="status">Profile saved.</p>}
        </div>
      </form>
    </section>
  );
}
