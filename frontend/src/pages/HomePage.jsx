// `/`: where to go from here, for whoever is asking.
import { isStaff, useViewer } from './shared/viewer.js';

export function HomePage() {
  const answer = useViewer();
  const viewer = answer?.viewer;
  return (
    <>
      <h1>Member Directory</h1>
      <p>The alliance's directory of member organisations, individual members and working groups.</p>
      <ul className="links">
        <li><a href="/dashboard">Membership dashboard</a>: counts by continent, country and sector.</li>
        {viewer?.person && <li><a href="/me">My profile</a>: your details, who sees them, your communications and membership.</li>}
        {viewer?.person && <li><a href="/apply">Apply for organisational membership</a> for your organisation.</li>}
        {viewer?.manages?.map((organisation) => (
          <li key={organisation.id}><a href={`/manage/organisations/${encodeURIComponent(organisation.slug)}`}>Manage {organisation.name}</a></li>
        ))}
        {viewer?.chairs?.map((group) => (
          <li key={group.id}><a href={`/manage/groups/${encodeURIComponent(group.slug)}`}>Chair {group.name}</a></li>
        ))}
        {isStaff(viewer) && <li><a href="/staff">Staff queues</a></li>}
        <li><a href="/graphql">GraphiQL</a>: the API itself.</li>
      </ul>
      {answer && !viewer?.person && <p>Sign in to keep your own details and your organisation's right.</p>}
    </>
  );
}
