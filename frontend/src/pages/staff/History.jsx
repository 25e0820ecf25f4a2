import { humanise } from '../shared/words.js';

function value(change, side) {
  return change.redacted ? '(not shown)' : (change[side] ?? '—');
}

/** Audit entries: when, who (in which role), what, and each field before and after. */
export function ChangeList({ changes, showRecord = false }) {
  if (!changes.length) return <p>No changes.</p>;
  return (
    <ol className="changes">
      {changes.map((change) => (
        <li key={change.id}>
          <p>
            <strong>{humanise(change.action)}</strong>
            {showRecord && <> of {humanise(change.recordType)} <code>{change.recordId}</code></>}
            {' '}on {change.at.replace('T', ' ').slice(0, 16)} UTC by{' '}
            {change.actorPerson?.name ?? 'a key'} ({change.actorRole})
            {change.reason ? ` — “${change.reason}”` : ''}
          </p>
          {change.fields.length > 0 && (
            <ul className="fields">
              {change.fields.map((field) => (
                <li key={field.field}>{field.field}: {value(field, 'before')} → {value(field, 'after')}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
