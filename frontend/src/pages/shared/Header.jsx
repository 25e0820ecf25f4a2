// The header on every page (the dashboard too): who is signed in, the
// organisations they manage and groups they chair, sign in and sign out.
// Signing in is the server's (a backend-for-frontend): the browser only ever
// holds the session cookie. Without an issuer (development), an API key field
// starts a session for a key instead.
import './header.css';
import { useState } from 'react';
import { isStaff, useSession, useViewer } from './viewer.js';

function here() {
  return `${window.location.pathname}${window.location.search}`;
}

async function signOut(setProblem) {
  try {
    const response = await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
    if (!response.ok && response.status !== 303) throw new Error(`The directory answered ${response.status}.`);
    window.location.reload();
  } catch (error) {
    setProblem(`Could not sign out: ${error.message}`);
  }
}

function DevelopmentKey({ setProblem }) {
  const [key, setKey] = useState('');
  async function useKey(event) {
    event.preventDefault();
    setProblem(null);
    try {
      const response = await fetch('/auth/key', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key: key.trim() }),
      });
      if (!response.ok) throw new Error(response.status === 404 ? 'API-key sign-in is for development only.' : `The directory answered ${response.status}.`);
      window.location.reload();
    } catch (error) {
      setProblem(`Could not sign in with that key: ${error.message}`);
    }
  }
  return (
    <form className="dev-key" onSubmit={useKey}>
      <label htmlFor="dev-api-key">API key (development)</label>
      <input id="dev-api-key" name="sessionKey" type="password" autoComplete="off" spellCheck="false"
        value={key} onChange={(event) => setKey(event.target.value)} />
      <button type="submit">Sign in with key</button>
    </form>
  );
}

/** Someone signed in with no person in the directory: their role, and who the issuer said they are. */
function signedInWithout(viewer) {
  if (!viewer || viewer.role === 'anonymous') return null;
  return viewer.signedInAs ? `${viewer.role} (${viewer.signedInAs})` : `a ${viewer.role} key`;
}

export function Header({ title = 'Member Directory' }) {
  const viewerAnswer = useViewer();
  const session = useSession();
  const [problem, setProblem] = useState(null);
  const viewer = viewerAnswer?.viewer;
  const signedIn = !!session?.signedIn;
  const person = viewer?.person;
  const who = person ? person.name : signedInWithout(viewer);

  return (
    <header className="site-header" data-signed-in={signedIn ? 'true' : 'false'}>
      <div className="site-bar">
        <a className="site-name" href="/">{title}</a>
        <nav aria-label="Site">
          <ul>
            <li><a href="/dashboard">Dashboard</a></li>
            {person && <li><a href="/me">My profile</a></li>}
            {person && <li><a href="/apply">Apply</a></li>}
            {isStaff(viewer) && <li><a href="/staff">Staff</a></li>}
          </ul>
        </nav>
        <div className="session">
          {session && signedIn && (
            <>
              <span className="who" data-viewer-name={who ?? ''}>Signed in{who ? ` as ${who}` : ''}</span>
              <button type="button" onClick={() => signOut(setProblem)}>Sign out</button>
            </>
          )}
          {session && !signedIn && session.signInAvailable && (
            <a className="button" href={`/auth/login?next=${encodeURIComponent(here())}`}>Sign in</a>
          )}
          {session && !signedIn && !session.signInAvailable && <DevelopmentKey setProblem={setProblem} />}
        </div>
      </div>
      {(viewer?.manages?.length > 0 || viewer?.chairs?.length > 0) && (
        <nav className="site-roles" aria-label="What you manage and chair">
          {viewer.manages.length > 0 && (
            <p>
              <span>You manage:</span>
              {viewer.manages.map((organisation) => (
                <a key={organisation.id} href={`/manage/organisations/${encodeURIComponent(organisation.slug)}`}>{organisation.name}</a>
              ))}
            </p>
          )}
          {viewer.chairs.length > 0 && (
            <p>
              <span>You chair:</span>
              {viewer.chairs.map((group) => (
                <a key={group.id} href={`/manage/groups/${encodeURIComponent(group.slug)}`}>{group.name}</a>
              ))}
            </p>
          )}
        </nav>
      )}
      {(problem || viewerAnswer?.error) && <p className="header-problem" role="alert">{problem ?? viewerAnswer.error}</p>}
    </header>
  );
}
