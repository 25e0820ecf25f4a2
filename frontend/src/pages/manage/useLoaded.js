import { useCallback, useEffect, useState } from 'react';
import { request } from '../shared/graphql.js';

/**
 * Runs a named query when its variables change, and again on reload() (after a
 * change the page made). The answer keeps the API's errors beside its data, so a
 * field the caller may not see shows as missing, never as a broken page.
 * state: "loading" | "ready" | "error".
 */
export function useLoaded(document, variables) {
  const [result, setResult] = useState({ state: 'loading', data: null, errors: [], error: null });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    request(document, JSON.parse(key)).then(
      ({ data, errors }) => current && setResult({ state: 'ready', data, errors: errors ?? [], error: null }),
      (error) => current && setResult({ state: 'error', data: null, errors: [], error: error.message }),
    );
    return () => { current = false; };
  }, [document, key, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...result, reload };
}

/** The last segment of the path this page was opened at (a slug or an id). */
export function lastSegment(pathname = window.location.pathname) {
  const parts = pathname.split('/').filter(Boolean);
  return decodeURIComponent(parts[parts.length - 1] ?? '');
}
