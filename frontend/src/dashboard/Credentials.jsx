import { useState } from 'react';
import { useSession } from '../pages/shared/viewer.js';

/**
 * Who the dashboard asks as: the signed-in person (the session cookie the
 * header's "Sign in" set up goes with every request), anonymous, or an API
 * key pasted here. A key is held in the page's memory only (React state):
 * reloading the page forgets it; while it is in use it wins over the session.
 */
export function Credentials({ credential, onChange }) {
  const [key, setKey] = useState('');
  const session = useSession();
  const how = credential ? credential.how : session?.signedIn ? 'signed in' : 'anonymous';

  return (
    <section className="credentials" aria-labelledby="credentials-title">
      <h2 id="credentials-title" className="visually-hidden">Credentials</h2>
      <p className="viewer" aria-live="polite" data-viewer={how}>
        {how === 'anonymous' ? 'Asking anonymously.' : `Asking ${how}.`}
      </p>
      <form className="key-form" onSubmit={(event) => {
        event.preventDefault();
        if (key.trim()) onChange({ token: key.trim(), how: 'with an API key' });
        setKey('');
      }}>
        <label>
          API key
          <input type="password" name="apiKey" autoComplete="off" spellCheck="false" value={key}
            onChange={(event) => setKey(event.target.value)} placeholder="mdk_…" />
        </label>
        <button type="submit">Use key</button>
      </form>
      {credential && <button type="button" onClick={() => onChange(null)}>Forget credential</button>}
    </section>
  );
}
