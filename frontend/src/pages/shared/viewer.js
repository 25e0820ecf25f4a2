// The viewer and the session, asked once per page load and shared by the
// header and the page (the header is on every page, the dashboard included).
// After a change to what the viewer manages or chairs (a Primary hand-over),
// refreshViewer() asks again and every user of it redraws: no page reload.
import { useEffect, useState } from 'react';
import VIEWER from './PagesViewer.graphql?raw';
import { errorText, request } from './graphql.js';

let viewerAnswer = null;
let sessionAnswer = null;
const viewerListeners = new Set();

/** GET /auth/session: { signedIn, signInAvailable }; a server without it has neither. */
export function loadSession() {
  sessionAnswer ??= fetch('/auth/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then((response) => (response.ok ? response.json() : { signedIn: false, signInAvailable: false }))
    .catch(() => ({ signedIn: false, signInAvailable: false }));
  return sessionAnswer;
}

/** The viewer query's answer: { viewer, error }. */
export function loadViewer() {
  viewerAnswer ??= request(VIEWER).then(
    ({ data, errors }) => ({ viewer: data?.viewer ?? null, error: errorText(errors) }),
    (error) => ({ viewer: null, error: error.message }),
  );
  return viewerAnswer;
}

/** Asks the viewer query again (after a mutation that changes what the viewer manages or chairs). */
export async function refreshViewer() {
  viewerAnswer = null;
  const answer = await loadViewer();
  for (const listener of viewerListeners) listener(answer);
  return answer;
}

function useAnswer(load, listeners = null) {
  const [answer, setAnswer] = useState(null);
  useEffect(() => {
    let live = true;
    load().then((value) => live && setAnswer(value));
    const listener = (value) => live && setAnswer(value);
    listeners?.add(listener);
    return () => { live = false; listeners?.delete(listener); };
  }, [load, listeners]);
  return answer;
}

/** null while loading, then { viewer, error }; redrawn by refreshViewer(). */
export function useViewer() {
  return useAnswer(loadViewer, viewerListeners);
}

/** null while loading, then { signedIn, signInAvailable }. */
export function useSession() {
  return useAnswer(loadSession);
}

/** Staff and admin see the staff pages. */
export function isStaff(viewer) {
  return viewer?.role === 'staff' || viewer?.role === 'admin';
}
