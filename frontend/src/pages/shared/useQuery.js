import { useCallback, useEffect, useState } from 'react';
import { errorText, request } from './graphql.js';

/**
 * Runs a query when its variables change; reload() asks again (after a save).
 * state: "loading" | "ready" | "error"; data stays while reloading, so forms keep their place.
 */
export function useQuery(document, variables = {}) {
  const key = JSON.stringify(variables);
  const [result, setResult] = useState({ state: 'loading', data: null, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setResult((previous) => ({ ...previous, state: 'loading' }));
    request(document, JSON.parse(key)).then(
      ({ data, errors }) => live && setResult({ state: errors?.length && !data ? 'error' : 'ready', data, error: errorText(errors) }),
      (error) => live && setResult({ state: 'error', data: null, error: error.message }),
    );
    return () => { live = false; };
  }, [document, key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...result, reload };
}
