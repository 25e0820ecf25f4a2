// Invitations onto groups' rosters to answer (accept or decline), and the
// earlier ones with how they ended.
import ANSWER from './AnswerInvitation.graphql?raw';
import { FormErrors } from '../shared/forms.jsx';
import { useSave } from '../shared/useSave.js';
import { day, humanise } from '../shared/words.js';

function Invitation({ invitation, onSaved }) {
  const { save, busy, userErrors, problem } = useSave(ANSWER);
  async function answer(accept) {
    const result = await save({ input: { invitation: invitation.id, accept, expectedVersion: invitation.version } });
    if (result.ok || result.stale) onSaved();
  }
  const from = invitation.invitedBy?.name ?? invitation.recommendedBy?.name;
  return (
    <li className="invitation" data-invitation={invitation.id} data-group={invitation.group.slug}>
      <p>
        <strong>{invitation.group.name}</strong> invites you as <strong>{humanise(invitation.role)}</strong>
        {from ? ` (from ${from})` : ''}{invitation.expiresOn ? `; answer by ${day(invitation.expiresOn)}` : ''}.
      </p>
      {invitation.message && <blockquote>{invitation.message}</blockquote>}
      <FormErrors userErrors={userErrors} shownAt={[]} problem={problem} />
      <div className="actions">
        <button type="button" onClick={() => answer(true)} disabled={busy}
          aria-label={`Accept the invitation to ${invitation.group.name}`}>Accept</button>
        <button type="button" className="secondary" onClick={() => answer(false)} disabled={busy}
          aria-label={`Decline the invitation to ${invitation.group.name}`}>Decline</button>
      </div>
    </li>
  );
}

export function InvitationsSection({ person, onSaved }) {
  const all = person.invitations?.nodes ?? [];
  const open = all.filter((i) => i.status === 'INVITED');
  const earlier = all.filter((i) => i.status !== 'INVITED' && i.status !== 'RECOMMENDED');
  return (
    <section className="card" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      {open.length === 0 && <p>No invitation waits for your answer.</p>}
      {open.length > 0 && <ul className="plain">{open.map((i) => <Invitation key={i.id} invitation={i} onSaved={onSaved} />)}</ul>}
      {earlier.length > 0 && (
        <>
          <h3>Earlier invitations</h3>
          <ul>
            {earlier.map((i) => (
              <li key={i.id} data-invitation={i.id} data-status={i.status}>{i.group.name} ({humanise(i.role)}): {humanise(i.status)}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
