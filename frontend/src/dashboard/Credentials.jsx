import { useEffect, useState } from 'react';
import { signIn } from './signIn.js';

/**
 * Who the dashboard asks as: anonymous, an API key pasted here, or a token
 * from signing in. Held in the page's memory only (React state): reloading
 * the page forgets it.
 */
export function Credentials({ credential, onChange }) {
  const [key, setKey] = useState('');
  const [oidc, setOidc] = useState(null);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    fetch('/dashboard/config.json').then((r) => r.json()).then((config) => setOidc(config.oidc), () => setOidc(null));
  }, []);

  async function startSignIn() {
    setProblem(null);
    try {
      const { token } = await signIn(oidc);
      onChange({ token, how: 'signed in' });
    } catch (error) {
      setProblem(error.message);
    }
  }

  return (
    <section className="credentials" aria-labelledby="credentials-title">
      <h2 id="credentials-title" className="visually-hidden">Credentials</h2>
      <p className="viewer" aria-live="polite" data-viewer={credential ? credential.how : 'anonymous'}>
        {credential ? `Asking ${credential.how}.` : 'Asking anonymously.'}
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
      {oidc && <button type="button" onClick={startSignIn}>Sign in</button>}
      {credential && <button type="button" onClick={() => onChange(null)}>Forget credential</button>}
      {problem && <p role="alert" className="panel-error">{problem}</p>}
    </section>
  );
}
