import { useState } from 'react';
import { mutate } from './graphql.js';
import { isStale } from './StaleVersion.jsx';

/**
 * One form's round trip: send a mutation, keep its userErrors (or the
 * network's problem) for the fields to show, tell whether the record was
 * stale. The form's own input state is the caller's and is never reset here.
 */
export function useSave(document) {
  const [busy, setBusy] = useState(false);
  const [userErrors, setUserErrors] = useState([]);
  const [problem, setProblem] = useState(null);
  const [done, setDone] = useState(null);

  async function save(variables, doneMessage = 'Saved.') {
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      const { payload, userErrors: errors } = await mutate(document, variables);
      setUserErrors(errors);
      if (!errors.length) setDone(doneMessage);
      return { ok: !errors.length, payload, userErrors: errors, stale: isStale(errors) };
    } catch (error) {
      setUserErrors([]);
      setProblem(error.message);
      return { ok: false, payload: null, userErrors: [], stale: false };
    } finally {
      setBusy(false);
    }
  }

  function clear() {
    setUserErrors([]);
    setProblem(null);
    setDone(null);
  }

  return { save, busy, userErrors, problem, done, clear };
}
