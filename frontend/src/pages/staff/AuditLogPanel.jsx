import { useState } from 'react';
import { SelectField, TextField } from '../shared/forms.jsx';
import { request } from '../shared/graphql.js';
import { Failure } from '../manage/Errors.jsx';

import { ChangeList } from './History.jsx';
import { humanise } from '../shared/words.js';
import AUDIT from './AuditLog.graphql?raw';

const RECORD_TYPES = ['ORGANISATION', 'PERSON', 'ROLE_CONTACT', 'WORKING_GROUP', 'ROSTER_ENTRY', 'INVITATION'];
const ACTIONS = ['CREATE', 'UPDATE', 'ASSIGN', 'REMOVE', 'STATUS', 'REVIEW', 'NOTICE', 'ERASE', 'IMPORT', 'MERGE',
  'RECOMMEND', 'INVITE', 'ACCEPT', 'DECLINE', 'WITHDRAW', 'EXPIRE'];

function filterOf(form) {
  const filter = {};
  if (form.recordId.trim()) filter.recordId = form.recordId.trim();
  if (form.recordType) filter.recordTypes = [form.recordType];
  if (form.action) filter.actions = [form.action];
  if (form.since) filter.since = `${form.since}T00:00:00Z`;
  return filter;
}

/** The audit log of any record, filtered; 50 changes at a time, newest first. */
export function AuditLogPanel({ initialRecordId = '' }) {
  const [form, setForm] = useState({ recordId: initialRecordId, recordType: '', action: '', since: '' });
  const [result, setResult] = useState(null);
  const [failure, setFailure] = useState(null);
  const set = (name) => (given) => setForm((previous) => ({ ...previous, [name]: given }));

  async function load(after) {
    setFailure(null);
    try {
      const { data, errors } = await request(AUDIT, { filter: filterOf(form), after });
      if (errors?.length) setFailure(errors.map((e) => e.message).join(' '));
      if (data?.auditLog) {
        setResult((previous) => ({
          ...data.auditLog,
          nodes: after && previous ? [...previous.nodes, ...data.auditLog.nodes] : data.auditLog.nodes,
        }));
      }
    } catch (error) {
      setFailure(error.message);
    }
  }

  return (
    <section aria-labelledby="audit-heading" className="card">
      <h2 id="audit-heading">Audit log</h2>
      <form className="filters" onSubmit={(event) => { event.preventDefault(); load(null); }}>
        <TextField label="Record id" name="recordId" value={form.recordId} onChange={set('recordId')} />
        <SelectField label="Record type" name="recordType" value={form.recordType} onChange={set('recordType')}
          options={[{ value: '', label: 'Any' }, ...RECORD_TYPES.map((v) => ({ value: v, label: humanise(v) }))]} />
        <SelectField label="Action" name="action" value={form.action} onChange={set('action')}
          options={[{ value: '', label: 'Any' }, ...ACTIONS.map((v) => ({ value: v, label: humanise(v) }))]} />
        <TextField label="Since (UTC day)" name="since" type="date" value={form.since} onChange={set('since')} />
        <div className="actions"><button type="submit">Show changes</button></div>
      </form>
      <Failure message={failure} />
      {result && (
        <>
          <p role="status">{result.totalCount} changes match.</p>
          <ChangeList changes={result.nodes} showRecord />
          {result.pageInfo.hasNextPage && (
            <button type="button" className="secondary" onClick={() => load(result.pageInfo.endCursor)}>
              Show 50 more
            </button>
          )}
        </>
      )}
    </section>
  );
}
