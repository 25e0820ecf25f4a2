import { useCallback, useState } from 'react';
import { mutate } from '../shared/graphql.js';

/**
 * Sends one named mutation; keeps its userErrors (or a network failure) until the
 * next attempt. The caller's form state is never touched here, so nothing typed is
 * lost on an error. run() resolves to the payload when nothing was refused, else null.
 */
export function useMutation(document) {
  const [state, setState] = useState({ busy: false, userErrors: [], failure: null, payload: null });
  const run = useCallback(async (variables) => {
    setState({ busy: true, userErrors: [], failure: null, payload: null });
    try {
      const { payload, userErrors } = await mutate(document, variables);
      setState({ busy: false, userErrors, failure: null, payload });
      return userErrors.length ? null : payload;
    } catch (error) {
      setState({ busy: false, userErrors: [], failure: error.message, payload: null });
      return null;
    }
  }, [document]);
  const clear = useCallback(() => setState({ busy: false, userErrors: [], failure: null, payload: null }), []);
  return { ...state, run, clear, stale: state.userErrors.some((e) => e.code === 'STALE_VERSION') };
}
