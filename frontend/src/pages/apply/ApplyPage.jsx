// /apply: a signed-in person applies for organisational membership (and
// becomes the applicant's Primary), then names the other role contacts.
import { useState } from 'react';
import START from './ApplyStart.graphql?raw';
import { useQuery } from '../shared/useQuery.js';
import { OrganisationForm } from './OrganisationForm.jsx';
import { RoleContacts } from './RoleContacts.jsx';
import { refreshViewer } from '../shared/viewer.js';

export function ApplyPage() {
  const start = useQuery(START);
  const [applied, setApplied] = useState(null);
  const person = start.data?.viewer?.person;
  const applications = new Map();
  for (const role of person?.roles ?? []) {
    if (role.role === 'PRIMARY' && role.organisation?.membership?.status === 'APPLICANT') applications.set(role.organisation.slug, role.organisation);
  }
  if (applied) applications.set(applied.slug, applied);
  return (
    <div aria-busy={start.state === 'loading' && !start.data ? 'true' : 'false'}>
      <h1>Apply for organisational membership</h1>
      {start.state === 'error' && <p role="alert">{start.error}</p>}
      {start.data && !person && <p>Sign in first: the person who applies becomes the organisation's Primary.</p>}
      {person && (
        <div className="sections">
          {[...applications.keys()].map((slug) => <RoleContacts key={slug} slug={slug} />)}
          <section className="card" aria-label="New application">
            <p>You apply as <strong>{person.name}</strong>: you become the organisation's Primary contact and are
              affiliated with it{person.affiliation ? ` (instead of ${person.affiliation.name})` : ''}. If you hold
              roles for another organisation, hand them over first.</p>
            <OrganisationForm countries={start.data.countries} onApplied={(organisation) => { setApplied(organisation); start.reload(); refreshViewer(); }} />
          </section>
        </div>
      )}
    </div>
  );
}
