import { FormErrors } from '../../shared/forms.jsx';
import { useSave } from '../../shared/useSave.js';
import { ROSTER_ROLES } from '../vocabulary.js';
import { humanise } from '../../shared/words.js';
import WITHDRAW from './WithdrawInvitation.graphql?raw';

function Withdraw({ invitation, onDone }) {
  const withdraw = useSave(WITHDRAW);
  async function send() {
    const { ok, stale } = await withdraw.save({ input: { invitation: invitation.id, expectedVersion: invitation.version } });
    if (ok || stale) onDone();
  }
  return (
    <>
      <button type="button" className="secondary" onClick={send} disabled={withdraw.busy}>
        Withdraw<span className="visually-hidden"> the invitation of {invitation.person.name}</span>
      </button>
      <FormErrors userErrors={withdraw.userErrors} shownAt={[]} problem={withdraw.problem} />
    </>
  );
}

/** Recommendations waiting for a chair, and the invitations sent with their state. */
export function Invitations({ group, onInvite, onChanged }) {
  const all = group.invitations?.nodes ?? [];
  const waiting = all.filter((i) => i.status === 'RECOMMENDED');
  const sent = all.filter((i) => i.status !== 'RECOMMENDED');
  return (
    <>
      <section aria-labelledby="recommendations-heading" className="card">
        <h2 id="recommendations-heading">Recommendations waiting ({waiting.length})</h2>
        {!waiting.length ? <p>None.</p> : (
          <ul className="items" data-testid="recommendations">
            {waiting.map((r) => (
              <li key={r.id}>
                <p>
                  <strong>{r.person.name}</strong> as {ROSTER_ROLES[r.role]}, recommended by{' '}
                  {r.recommendedBy?.name ?? 'an organisation'} on {r.createdAt.slice(0, 10)}
                </p>
                {r.message && <blockquote>{r.message}</blockquote>}
                <button type="button" onClick={() => onInvite(r)}>
                  Invite<span className="visually-hidden"> {r.person.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="invitations-heading" className="card">
        <h2 id="invitations-heading">Invitations sent ({sent.length})</h2>
        {!sent.length ? <p>None.</p> : (
          <div className="scroll" tabIndex={0} role="region" aria-label="Invitations sent">
            <table data-testid="invitations">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {sent.map((i) => (
                  <tr key={i.id} data-invitation={i.id}>
                    <td>{i.person.name}</td>
                    <td>{ROSTER_ROLES[i.role]}</td>
                    <td>{humanise(i.status)}{i.answeredAt ? ` on ${i.answeredAt.slice(0, 10)}` : ''}</td>
                    <td>{i.createdAt.slice(0, 10)}{i.invitedBy ? ` by ${i.invitedBy.name}` : ''}</td>
                    <td>{i.expiresOn ?? '—'}</td>
                    <td>{i.status === 'INVITED' && <Withdraw invitation={i} onDone={onChanged} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
