/** A failure to reach the API or to read a record (no userErrors to show beside a field). */
export function Failure({ message }) {
  return message ? <p role="alert" className="failure">{message}</p> : null;
}
