import { useState } from 'react';
import { TextField, errorsFor, FormErrors } from '../shared/forms.jsx';
import { useSave } from '../shared/useSave.js';

/**
 * One staff action on a record: a reason and one button per choice (approve or
 * decline, renewed or lapsed...). The reason stays in the field on any refusal.
 */
export function ActionForm({ title, document, inputOf, choices, reasonRequired = false, onDone, hint }) {
  const [reason, setReason] = useState('');
  const [done, setDone] = useState(null);
  const action = useSave(document);
  async function send(choice) {
    setDone(null);
    const input = inputOf(choice.value);
    if (reason.trim() || reasonRequired) input.reason = reason;
    const { ok, stale } = await action.save({ input });
    if (ok) {
      setDone(`${choice.label}: done.`);
      setReason('');
    }
    // Done, or refused as stale: either way the record is read again (a stale refusal's
    // message stays, with the reason typed, and the next try is at the current version).
    if (ok || stale) onDone();
  }
  const id = title.toLowerCase().replace(/[^a-z]+/g, '-');
  return (
    <form className="action" aria-labelledby={id} onSubmit={(event) => { event.preventDefault(); send(choices[0]); }}>
      <h3 id={id}>{title}</h3>
      {hint && <p className="muted">{hint}</p>}
      <TextField label={reasonRequired ? 'Reason (required)' : 'Reason (optional)'} name="reason" value={reason}
        onChange={(given) => setReason(given)} errors={errorsFor(action.userErrors, 'reason')} />
      <FormErrors userErrors={action.userErrors} shownAt={['reason']} problem={action.problem} />
      <div className="actions">
        {choices.map((choice, index) => (
          <button key={choice.value} type={index === 0 ? 'submit' : 'button'} disabled={action.busy}
            className={index === 0 ? '' : 'secondary'} onClick={index === 0 ? undefined : () => send(choice)}>
            {choice.label}
          </button>
        ))}
      </div>
      {done && <p role="status">{done}</p>}
    </form>
  );
}
