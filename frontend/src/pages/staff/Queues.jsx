import { Failure } from '../manage/Errors.jsx';
import { useQuery } from '../shared/useQuery.js';
import { todayUtc } from '../manage/vocabulary.js';
import { humanise } from '../shared/words.js';
import QUEUES from './StaffQueues.graphql?raw';

/** One queue: its count (all of them, where the API counts) and its first items, in a list that scrolls. */
function Queue({ id, title, items, count = items.length, children, hint = null, empty = 'Nothing waiting.' }) {
  return (
    <section aria-labelledby={id} className="card queue" data-queue={id}>
      <h2 id={id}>{title} <span className="count" data-count>{count}</span></h2>
      {hint && <p className="muted">{hint}</p>}
      {items.length ? (
        <div className="queue-items" tabIndex={0} role="region" aria-label={title}>
          <ul className="items">{items.map(children)}</ul>
        </div>
      ) : <p>{empty}</p>}
      {count > items.length && <p className="muted">The first {items.length} are listed.</p>}
    </section>
  );
}

const organisationLink = (o) => `/staff/organisations/${encodeURIComponent(o.slug)}`;

export function Queues() {
  const { state, data, error } = useQuery(QUEUES, { reviewDueBefore: todayUtc(1), today: todayUtc() });
  if (state === 'loading' && !data) return <p>Loading the queues…</p>;
  if (state === 'error') return <Failure message={error} />;
  if (!data) return <Failure message={error} />;
  return (
    <>
      <Failure message={error} />
      <div className="queues">
        <Queue id="applications" title="Organisations applying" items={data.applications.nodes}
          count={data.applications.totalCount}>
          {(o) => (
            <li key={o.id}><a href={organisationLink(o)}>{o.name}</a>
              <span className="muted"> · {o.country.name}
                {o.membership.history[0] ? ` · applied ${o.membership.history[0].on}` : ''}</span></li>
          )}
        </Queue>
        <Queue id="individuals" title="Individuals applying" items={data.individuals.nodes}
          count={data.individuals.totalCount}>
          {(p) => (
            <li key={p.id}><a href={`/staff/people/${encodeURIComponent(p.id)}`}>{p.name}</a>
              <span className="muted"> · applied {p.individualMembership.since}</span></li>
          )}
        </Queue>
        <Queue id="reviews" title="Reviews due" items={data.reviewsDue.nodes} count={data.reviewsDue.totalCount}>
          {(o) => (
            <li key={o.id}><a href={organisationLink(o)}>{o.name}</a>
              <span className="muted"> · {humanise(o.membership.status)} · due {o.membership.nextReviewDue}</span></li>
          )}
        </Queue>
        <Queue id="notices" title="Removal notices given" items={data.notices.nodes} count={data.notices.totalCount}>
          {(o) => (
            <li key={o.id}><a href={organisationLink(o)}>{o.name}</a>
              <span className="muted"> · notice {o.membership.removalNoticeOn} · removable from {o.membership.removableFrom}</span></li>
          )}
        </Queue>
        <Queue id="removable" title="Removals now allowed" items={data.removable.nodes} count={data.removable.totalCount}
          hint="The notice period has run: these may be removed today.">
          {(o) => (
            <li key={o.id}><a href={organisationLink(o)}>{o.name}</a>
              <span className="muted"> · notice {o.membership.removalNoticeOn} · removable from {o.membership.removableFrom}</span></li>
          )}
        </Queue>
        <Queue id="needing-primary" title="Organisations needing a Primary" items={data.needingPrimary}>
          {(o) => <li key={o.id}><a href={`/manage/organisations/${encodeURIComponent(o.slug)}`}>{o.name}</a></li>}
        </Queue>
        <Queue id="failed" title="Failed notifications" items={data.failed.nodes} count={data.failed.totalCount}>
          {(n) => (
            <li key={n.id}>
              <p><strong>{humanise(n.kind)}</strong> by {n.channel.toLowerCase()} to {n.recipient?.name ?? 'an endpoint'}:
                {' '}{n.subject}</p>
              <p className="muted">{n.attempts} attempts; last error: {n.lastError ?? '—'}</p>
              {n.record?.slug && <a href={organisationLink(n.record)}>Open {n.record.name}</a>}
              {n.record && !n.record.slug && n.record.name && (
                <a href={`/staff/people/${encodeURIComponent(n.record.id)}`}>Open {n.record.name}</a>
              )}
            </li>
          )}
        </Queue>
      </div>
    </>
  );
}
