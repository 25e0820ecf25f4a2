// /me: the signed-in person's own profile, who sees what, communications,
// individual membership, invitations and notifications. Every change is a
// mutation sent with their own session; after each the page asks again.
import ME from './MePage.graphql?raw';
import { useQuery } from '../shared/useQuery.js';
import { useSession } from '../shared/viewer.js';
import { ProfileSection } from './ProfileSection.jsx';
import { PrivacySection } from './PrivacySection.jsx';
import { CommunicationsSection } from './CommunicationsSection.jsx';
import { MembershipSection } from './MembershipSection.jsx';
import { InvitationsSection } from './InvitationsSection.jsx';
import { NotificationsSection } from './NotificationsSection.jsx';

export function MePage() {
  const me = useQuery(ME);
  const session = useSession();
  const person = me.data?.viewer?.person;
  return (
    <div aria-busy={me.state === 'loading' && !me.data ? 'true' : 'false'}>
      <h1>My profile</h1>
      {me.state === 'error' && <p role="alert">The directory could not load your profile: {me.error}</p>}
      {me.state === 'ready' && me.error && <p role="alert">Part of your profile could not be loaded: {me.error}</p>}
      {me.data && !person && (
        <p>
          {session?.signedIn ? 'You are signed in, but no person in the directory goes with this sign-in.' : 'Sign in to see and keep your profile.'}
          {' '}{session && !session.signedIn && session.signInAvailable && <a href="/auth/login?next=%2Fme">Sign in</a>}
        </p>
      )}
      {person && (
        <div className="sections" data-person={person.id}>
          <ProfileSection person={person} countries={me.data.countries} onSaved={me.reload} />
          <PrivacySection person={person} onSaved={me.reload} />
          <CommunicationsSection person={person} workingGroups={me.data.workingGroups} onSaved={me.reload} />
          <MembershipSection person={person} agreementVersions={me.data.agreementVersions} onSaved={me.reload} />
          <InvitationsSection person={person} onSaved={me.reload} />
          <NotificationsSection notifications={me.data.viewer.notifications} />
        </div>
      )}
    </div>
  );
}
