import { FormErrors } from '../shared/forms.jsx';

/**
 * The userErrors no field of this form shows (about the record itself, a stale
 * version, an input this form has no field for), so none is ever lost.
 */
export function Unplaced({ userErrors, fields }) {
  return <FormErrors userErrors={userErrors} shownAt={fields} />;
}

/** A failure to reach the API at all (no userErrors to show). */
export function Failure({ message }) {
  return message ? <p role="alert" className="failure">{message}</p> : null;
}

/** Turns a field component's onChange argument into a value, whether it hands an event or the value. */
export function valueOf(given) {
  if (given && given.target) return given.target.type === 'checkbox' ? given.target.checked : given.target.value;
  return given;
}
