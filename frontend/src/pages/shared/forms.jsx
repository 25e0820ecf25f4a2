// Form fields with visible labels; each shows the API's userErrors for it
// beside the input (aria-describedby) and keeps whatever the person typed.
import { useId } from 'react';

/** The userErrors about `name`: the field path's last element, or the whole path joined with dots. */
export function errorsFor(userErrors, name) {
  return (userErrors ?? []).filter((error) => {
    const path = error.field ?? [];
    return path.length > 0 && (path[path.length - 1] === name || path.join('.') === name);
  });
}

function FieldErrors({ id, errors }) {
  if (!errors?.length) return null;
  return (
    <ul className="field-errors" id={id}>
      {errors.map((error, index) => (
        <li key={index} data-code={error.code}>{error.message}</li>
      ))}
    </ul>
  );
}

/**
 * What every field needs to tie its input to its hint and errors: the input's id, the
 * ids of the hint and the error list (when shown), and the input's aria attributes.
 */
function useFieldIds(hint, errors) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : null;
  const errorId = errors?.length ? `${id}-errors` : null;
  const described = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const aria = { 'aria-invalid': errorId ? 'true' : undefined, 'aria-describedby': described };
  return { id, hintId, errorId, aria };
}

export function TextField({ label, name, value, onChange, errors, hint, type = 'text', readOnly = false, required = false, autoComplete, ...rest }) {
  const { id, hintId, errorId, aria } = useFieldIds(hint, errors);
  return (
    <div className={`field${errors?.length ? ' has-errors' : ''}`} data-field={name}>
      <label htmlFor={id}>{label}</label>
      {hint && <p className="hint" id={hintId}>{hint}</p>}
      <input
        id={id} name={name} type={type} value={value ?? ''} readOnly={readOnly} required={required}
        autoComplete={autoComplete} {...aria}
        onChange={(event) => onChange?.(event.target.value)} {...rest}
      />
      <FieldErrors id={errorId} errors={errors} />
    </div>
  );
}

/** options: strings, or { value, label } objects. */
export function SelectField({ label, name, value, onChange, options, errors, hint, none = null, ...rest }) {
  const { id, hintId, errorId, aria } = useFieldIds(hint, errors);
  return (
    <div className={`field${errors?.length ? ' has-errors' : ''}`} data-field={name}>
      <label htmlFor={id}>{label}</label>
      {hint && <p className="hint" id={hintId}>{hint}</p>}
      <select
        id={id} name={name} value={value ?? ''} {...aria} onChange={(event) => onChange?.(event.target.value)} {...rest}
      >
        {none !== null && <option value="">{none}</option>}
        {options.map((option) => {
          const { value: v, label: l } = typeof option === 'string' ? { value: option, label: option } : option;
          return <option key={v} value={v}>{l}</option>;
        })}
      </select>
      <FieldErrors id={errorId} errors={errors} />
    </div>
  );
}

export function CheckboxField({ label, name, checked, onChange, errors, hint, value, ...rest }) {
  const { id, hintId, errorId, aria } = useFieldIds(hint, errors);
  return (
    <div className={`field checkbox${errors?.length ? ' has-errors' : ''}`} data-field={name}>
      <input
        id={id} type="checkbox" name={name} value={value} checked={!!checked}
        {...aria} onChange={(event) => onChange?.(event.target.checked)} {...rest}
      />
      <label htmlFor={id}>{label}</label>
      {hint && <p className="hint" id={hintId}>{hint}</p>}
      <FieldErrors id={errorId} errors={errors} />
    </div>
  );
}

/**
 * The userErrors no field shows: those without a field path, and (given
 * `shownAt`, the names the form's fields show) those naming no such field.
 */
export function FormErrors({ userErrors, shownAt = null, problem = null }) {
  const rest = (userErrors ?? []).filter((error) => {
    if (!error.field?.length) return true;
    return shownAt !== null && !shownAt.some((name) => errorsFor([error], name).length);
  });
  if (!rest.length && !problem) return null;
  return (
    <div className="form-errors" role="alert">
      <ul>
        {problem && <li>{problem}</li>}
        {rest.map((error, index) => <li key={index} data-code={error.code}>{error.message}</li>)}
      </ul>
    </div>
  );
}

/** A form's status line, announced to screen readers (e.g. "Saved."). */
export function Status({ children }) {
  return <p className="status" role="status" aria-live="polite">{children}</p>;
}
