import { useState } from 'react';
import { SelectField, TextField, errorsFor, FormErrors } from '../../shared/forms.jsx';
import { useSave } from '../../shared/useSave.js';
import { INVITABLE_ROLES, ROSTER_ROLES, options } from '../vocabulary.js';
import RECOMMEND from './RecommendColleague.graphql?raw';

const EMPTY = { person: '', group: '', role: 'MEMBER', message: '' };

/** Puts one of the organisation's people forward to a group's chairs, who may then invite them. */
export function Recommend({ organisation, people, groups }) {
  const [form, setForm] = useState(EMPTY);
  const [done, setDone] = useState(null);
  const recommend = useSave(RECOMMEND);
  const set = (name) => (given) => { setDone(null); setForm((previous) => ({ ...previous, [name]: given })); };

  async function submit(event) {
    event.preventDefault();
    const input = { organisation: organisation.id, person: form.person, group: form.group, role: form.role };
    if (form.message.trim()) input.message = form.message;
    const { ok, payload } = await recommend.save({ input });
    if (ok) {
      const { invitation } = payload;
      setDone(`${invitation.person.name} was recommended to the chairs of ${invitation.group.name}.`);
      setForm(EMPTY);
    }
  }

  return (
    <section aria-labelledby="recommend-heading" className="card">
      <h2 id="recommend-heading">Recommend a colleague for a group</h2>
      <form onSubmit={submit}>
        <SelectField label="Colleague" name="person" value={form.person} onChange={set('person')}
          options={[{ value: '', label: 'Choose a person…' }, ...people.map((p) => ({ value: p.id, label: p.name }))]}
          errors={errorsFor(recommend.userErrors, 'person')} />
        <SelectField label="Group" name="group" value={form.group} onChange={set('group')}
          options={[{ value: '', label: 'Choose a group…' }, ...groups.map((g) => ({ value: g.id, label: g.name }))]}
          errors={errorsFor(recommend.userErrors, 'group')} />
        <SelectField label="Role on the group" name="role" value={form.role} onChange={set('role')}
          options={options(ROSTER_ROLES, INVITABLE_ROLES)} errors={errorsFor(recommend.userErrors, 'role')} />
        <TextField label="Message to the chairs (optional)" name="message" value={form.message}
          onChange={set('message')} errors={errorsFor(recommend.userErrors, 'message')} />
        <FormErrors userErrors={recommend.userErrors} shownAt={['person', 'group', 'role', 'message']} problem={recommend.problem} />
        <div className="actions">
          <button type="submit" disabled={recommend.busy || !form.person || !form.group}>Recommend</button>
          {done && <p role="status">{done}</p>}
        </div>
      </form>
    </section>
  );
}
