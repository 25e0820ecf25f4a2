import { AuditLogPanel } from './AuditLogPanel.jsx';
import { OrganisationRecord } from './OrganisationRecord.jsx';
import { PersonRecord } from './PersonRecord.jsx';
import { Queues } from './Queues.jsx';
import { isStaff, useViewer } from '../shared/viewer.js';
import '../manage/manage.css';

/**
 * /staff (the queues and the audit log), /staff/organisations/{slug} and
 * /staff/people/{id} (a queue item with the actions staff may take). The API
 * refuses anyone but staff; the page shows its refusal as it comes.
 */
export function StaffPage() {
  const parts = window.location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const answer = useViewer();
  let body;
  if (!answer) body = <p>Loading…</p>;
  else if (!isStaff(answer.viewer)) {
    body = (
      <>
        <h1>Staff</h1>
        <p>These pages are for the alliance&apos;s staff. Sign in with a staff account to see the queues.</p>
      </>
    );
  } else if (parts[1] === 'organisations' && parts[2]) body = <OrganisationRecord slug={parts[2]} />;
  else if (parts[1] === 'people' && parts[2]) body = <PersonRecord id={parts[2]} />;
  else {
    body = (
      <>
        <h1>Staff</h1>
        <p className="lede">What is waiting for a decision; each item opens the record.</p>
        <Queues />
        <AuditLogPanel />
      </>
    );
  }
  return (
    <div className="manage staff">
      {parts.length > 1 && <p className="crumbs"><a href="/staff">← All queues</a></p>}
      {body}
    </div>
  );
}
