import { useEffect, useState } from 'react';
import { graphql } from './api.js';

/**
 * Runs `query` whenever its variables or the credential change, dropping the
 * answer to an older request. state: "loading" | "ready" | "error".
 */
export function useQuery(query, variables, credential) {
  const [result, setResult] = useState({ state: 'loading', data: null, error: null });
  const key = JSON.stringify(variables);
  useEffect(() => {
    const controller = new AbortController();
    setResult((previous) => ({ ...previous, state: 'loading' }));
    graphql(query, JSON.parse(key), credential, controller.signal).then(
      (data) => setResult({ state: 'ready', data, error: null }),
      (error) => {
        if (error.name !== 'AbortError') setResult({ state: 'error', data: null, error: error.message });
      },
    );
    return () => controller.abort();
  }, [query, key, credential]);
  return result;
}
