// STALE_VERSION: someone saved the record since this page read it. Shows,
// field by field, what is saved now next to the person's own edit (which the
// form keeps), and lets them reapply the edit on top of the current version.
import { useId } from 'react';

function shown(value) {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '(none)';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * current: the record as saved now; mine: the fields the person edited
 * (name -> value); base (optional): the record as the page first read it, so
 * fields others changed that the person did not edit are listed too.
 * labels (optional): field name -> label.
 */
export function StaleVersion({ current, mine, base = null, labels = {}, onReapply }) {
  const titleId = useId();
  if (!current) return null;
  const names = new Set(Object.keys(mine ?? {}));
  if (base) {
    for (const name of Object.keys(current)) {
      if (['version', 'updatedAt', 'id', '__typename'].includes(name)) continue;
      if (JSON.stringify(base[name]) !== JSON.stringify(current[name])) names.add(name);
    }
  }
  return (
    <section className="stale-version" role="alert" aria-labelledby={titleId}>
      <h3 id={titleId}>Someone else saved this meanwhile</h3>
      <p>Your edit was not saved. Here is what is saved now next to your edit; reapply it to save it on top of the current version.</p>
      <table>
        <thead>
          <tr><th scope="col">Field</th><th scope="col">Saved now</th><th scope="col">Your edit</th></tr>
        </thead>
        <tbody>
          {[...names].map((name) => (
            <tr key={name} data-stale-field={name}>
              <th scope="row">{labels[name] ?? name}</th>
              <td data-now>{shown(current[name])}</td>
              <td data-mine>{name in (mine ?? {}) ? shown(mine[name]) : '(not edited)'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onReapply}>Reapply my edit</button>
    </section>
  );
}

/** True if the userErrors say the record changed since it was read. */
export function isStale(userErrors) {
  return (userErrors ?? []).some((error) => error.code === 'STALE_VERSION');
}
